Feature: Checking status, headers and body of the demo service's responses
  Product owners state what the service answers: the status, the headers that matter,
  and the body text, without writing code.

  Scenario: Creating an item answers 201 with the new item's location
    When I POST /items with JSON:
      """
      {"name": "apple", "price": 3}
      """
    Then the response status is 201
    And the response status code is 2xx
    And the response header "Location" matches "^/items/\d+$"
    And the response header "content-type" is "application/json"
    And the response header "Content-Type" contains "json"
    And the response header "Set-Cookie" does not exist

  Scenario: Asking for an item that does not exist answers 404
    When I GET /items/42
    Then the response status is 404
    And the response status is 4xx
    And the response body contains "Item 42 not found"

  Scenario: An item without a price is refused with 422
    When I POST /items with JSON:
      """
      {"name": "apple"}
      """
    Then the response status is 422
    And the response body contains "price"

  Scenario: Deleting an item answers 204 with no body
    Given I POST /items with JSON:
      """
      {"name": "plum", "price": 1}
      """
    And I store the JSON at "$.id" as "item_id"
    When I DELETE /items/{{item_id}}
    Then the response status is 204
    And the response body is empty
    When I GET /items/{{item_id}}
    Then the response status is 404

  Scenario: An old address redirects to the new one
    Given redirects are not followed
    When I GET /old-items
    Then the response status is 301
    And the response status is 3xx
    And the response header "Location" is "/items"
    And the response header "location" exists

  Scenario: Redirects are followed unless turned off
    When I GET /old-items
    Then the response status is 200
    And the response body contains "items"

  Scenario: Logging in sets a session cookie and answers a bearer token
    When I POST /login with form:
      | name     | value  |
      | username | alice  |
      | password | s3cret |
    Then the response status is 200
    And the response header "Set-Cookie" contains "session="

  Scenario: A wrong password is refused with 401 and a challenge
    When I POST /login with form:
      | name     | value |
      | username | alice |
      | password | wrong |
    Then the response status is 401

  Scenario: The echo endpoint sends the body back as it came
    Given the request header "Content-Type" is "text/plain"
    When I POST /echo with body:
      """
      Hello,
      world
      """
    Then the response status is 200
    And the response header "Content-Type" contains "text/plain"
    And the response body is:
      """
      Hello,
      world
      """

  Scenario: A streamed body is checked whole once it has arrived
    When I GET /stream/lines?count=3
    Then the response body is:
      """
      line 1
      line 2
      line 3
      """
