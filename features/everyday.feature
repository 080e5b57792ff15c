Feature: The everyday phrases of a listing, a login and a live feed
  The phrases product owners reach for first: tables of existing data, checks that say
  "empty", "at least", "one of", eventual results, and replies on a websocket.

  Background:
    Given the following items exist at /items:
      | name  | price | tags              |
      | apple | 3     | ["red", "fruit"]  |
      | Dune  | 9.5   | ["book"]          |
      | pear  | 2     | []                |

  Scenario: A listing checked item by item
    When I GET /items
    Then the response status is one of 200, 204
    And the response time is less than 2 seconds
    And the JSON at "$.items" has at least 1 item
    And the JSON at "$.items" has at most 10 items
    And the JSON at "$.count" is greater than 2
    And the JSON at "$.count" is not 0
    And the JSON at "$.items[?(@.name == "pear")].tags" is [[]]
    And the JSON at "$.items[2].tags" is empty
    And the JSON at "$.items[0].price" is less than 5
    And the JSON at "$.items[1].name" is one of ["Dune", "Emma"]
    And the JSON at "$.items[*].name" contains only:
      """
      ["pear", "apple", "Dune"]
      """
    And the JSON at "$.items[*].name" contains any:
      """
      ["Dune", "Persuasion"]
      """
    And each item of the JSON at "$.items" matches:
      """
      {"id": "#integer", "name": "#string", "price": "#number", "note": "#string?"}
      """
    And each item of the JSON at "$.items[*].tags" is:
      """
      "#array"
      """
    And the JSON at "$.items[0]" is:
      """
      {"id": 1, "name": "apple", "price": 3, "tags": ["red", "fruit"], "created_at": "#datetime"}
      """
    And the JSON at "$.items" contains:
      """
      {"name": "Dune"}
      """

  Scenario: An item deleted elsewhere is eventually gone
    When I DELETE /items/3
    And I GET /items until the JSON at "$.count" is 2 within 2 seconds
    Then the JSON at "$.items[*].name" does not contain "pear"

  Scenario: Logging in sets a session cookie; logging out sends no credentials
    When I POST /login with form:
      | name     | value  |
      | username | alice  |
      | password | s3cret |
    Then the response cookie "session" exists
    And the response cookie "tracking" does not exist
    And the response body matches "access_token"
    Given I am authenticated with the bearer token "not-a-real-token"
    And I am not authenticated
    When I GET /me
    Then the response status is 401

  Scenario: A websocket reply is checked after the message that asked for it
    When "alice" connects to the websocket /ws/echo
    And "alice" sends text "{\"kind\": \"greeting\"}"
    Then the message JSON at "$.kind" is "greeting"
    And the message JSON at "$.kind" contains "greet"
    When "alice" sends text "plain words"
    And I wait 0.01 seconds
    Then "alice" receives text "plain words" from the websocket
    When "alice" sends JSON:
      """
      {"kind": "json"}
      """
    Then "alice" receives JSON from the websocket containing:
      """
      {"kind": "json"}
      """
