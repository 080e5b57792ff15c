Feature: Orders are paid with the payment provider and receipts are mailed
  The order service charges https://payments.example with httpx (async) and sends
  receipts through https://mail.example with requests (sync); sessions last an hour.

  Scenario: A paid order
    Given the service "payments" at https://payments.example answers POST /charges with status 201 and JSON:
      """
      {"id": "ch_1", "status": "paid"}
      """
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """
    Then the response status is 201
    And the response JSON contains:
      """
      {"status": "paid", "charge": "ch_1"}
      """
    And the service "payments" received 1 request to POST /charges
    And the service "payments" received a POST /charges with JSON:
      """
      {"amount": 1250, "currency": "EUR"}
      """

  Scenario: A declined card
    Given the variable "reason" is "insufficient funds"
    And the service "payments" at https://payments.example answers POST /charges with status 402 and JSON:
      """
      {"reason": "{{reason}}"}
      """
    When I POST /orders with JSON:
      """
      {"amount": 99900, "card": "0002"}
      """
    Then the response status is 402
    And the JSON at "$.detail" is "card declined: insufficient funds"
    And the service "payments" received a POST /charges with JSON:
      """
      {"amount": "#integer", "card": "0002"}
      """

  Scenario: The payment provider is down
    Given the service "payments" at https://payments.example is down
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """
    Then the response status is 503
    And the JSON at "$.detail" is "the payment provider is unavailable"
    And the service "payments" received no request

  Scenario: The payment provider answers too late
    Given the service "payments" at https://payments.example answers after 3 seconds
    When I POST /orders with JSON:
      """
      {"amount": 1250, "card": "4242"}
      """
    Then the response status is 504

  Scenario: A receipt mail
    Given the service "payments" at https://payments.example answers POST /charges with status 201 and JSON:
      """
      {"id": "ch_2", "status": "paid"}
      """
    And the service "mail" at https://mail.example answers POST /messages with status 202
    When I POST /orders with JSON:
      """
      {"amount": 500, "card": "4242", "email": "ann@example.com"}
      """
    Then the response status is 201
    And the service "mail" received 1 request to POST /messages
    And the service "mail" received a POST /messages with JSON:
      """
      {"to": "ann@example.com", "amount": 500, "charge": "ch_2"}
      """

  Scenario: No mail when the order has no address
    Given the service "payments" at https://payments.example answers POST /charges with status 201 and JSON:
      """
      {"id": "ch_3", "status": "paid"}
      """
    And the service "mail" at https://mail.example answers POST /messages with status 202
    When I POST /orders with JSON:
      """
      {"amount": 500, "card": "4242"}
      """
    Then the response status is 201
    And the service "mail" received no request

  Scenario: A session expires after 60 minutes
    Given the time is 2026-03-01T09:00:00Z
    When I POST /sessions with JSON:
      """
      {"user": "ann"}
      """
    And I store the JSON at "$.token" as "token"
    And I am authenticated with the bearer token "{{token}}"
    And 59 minutes pass
    And I GET /me
    Then the response status is 200
    When 1 minute passes
    And I GET /me
    Then the response status is 401
    And the JSON at "$.detail" is "session expired"

  Scenario: The provider's URL and the charge's id from variables
    Given the variables:
      | name     | value                    |
      | payments | https://payments.example |
      | charge   | ch_var                   |
    And the service "payments" at {{payments}} answers POST /charges with status 201 and JSON:
      """
      {"id": "{{charge}}"}
      """
    When I POST /orders with JSON:
      """
      {"amount": 300, "card": "4242"}
      """
    Then the JSON at "$.charge" is "ch_var"
    And the service "payments" received 1 request to POST /charges

  Scenario: A price in dollars, the rate read with aiohttp
    Given the service "rates" at https://rates.example answers GET /eur?to=usd with status 200 and body "1.5"
    When I GET /prices/20
    Then the JSON at "$.usd" is 30.0
    And the service "rates" received 1 request to GET /eur?to=usd
