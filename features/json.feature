Feature: Checking the JSON the demo service answers
  Expected values are JSON literals; JSONPath picks the part to check; fuzzy markers
  stand for values that change from run to run, like ids and timestamps.

  Background:
    Given I POST /items with JSON:
      """
      {"name": "apple", "price": 3, "tags": ["red", "fruit"]}
      """
    And I POST /items with JSON:
      """
      {"name": "Dune", "price": 9.5, "tags": ["book"]}
      """
    And I POST /items with JSON:
      """
      {"name": "pear", "price": 2, "tags": []}
      """

  Scenario: A new item is answered whole, with a generated id and timestamp
    When I POST /items with JSON:
      """
      {"name": "fig", "price": 4}
      """
    Then the response JSON is:
      """
      {
        "id": "#integer",
        "name": "fig",
        "price": 4,
        "tags": [],
        "created_at": "#datetime"
      }
      """
    And the response JSON matches the schema "schemas/item.json"
    And the JSON at "$.created_at" is "#datetime"
    And the JSON at "$.id" is 4

  Scenario: The listing contains the items in any order
    When I GET /items
    Then the response status is 200
    And the response JSON contains:
      """
      {"count": 3, "items": [{"name": "pear"}, {"name": "apple", "tags": ["fruit"]}]}
      """
    And the JSON at "$.items" has 3 items
    And the JSON at "$.count" is 3
    And the JSON at "$.items[0].name" is "apple"
    And the JSON at "$.items[*].name" is ["apple", "Dune", "pear"]
    And the JSON at "$.items[*].name" contains "Dune"
    And the JSON at "$.items[0].tags" contains "red"
    And the JSON at "$.items[0].name" contains "pp"

  Scenario: Filters select items by what they hold, not by where they are
    When I GET /items
    Then the JSON at "$.items[?(@.price > 3)].name" is ["Dune"]
    And the JSON at "$.items[?(@.price < 5)].name" is ["apple", "pear"]
    And the JSON at "$.items[?(@.price > 100)]" has 0 items
    And the JSON at "$.items[?(@.name == 'pear')].tags" is [[]]

  Scenario: Types, existence and patterns
    When I GET /items/2
    Then the JSON at "$.price" is a number
    And the JSON at "$.id" is an integer
    And the JSON at "$.name" is a string
    And the JSON at "$.tags" is an array
    And the JSON at "$" is an object
    And the JSON at "$.id" exists
    And the JSON at "$.password" does not exist
    And the JSON at "$.name" matches "^D.+e$"
    And the JSON at "$.created_at" matches "^20\d\d-"

  Scenario: Stored values are typed when compared
    Given I GET /items?q=apple
    And I store the JSON at "$.items[0].id" as "apple_id"
    And I store the JSON at "$.items[0].name" as "apple_name"
    When I GET /items/{{apple_id}}
    Then the JSON at "$.id" is "{{apple_id}}"
    And the JSON at "$.id" is {{apple_id}}
    And the JSON at "$.name" is "{{apple_name}}"
    And the response JSON contains:
      """
      {"id": "{{apple_id}}", "name": "{{apple_name}}", "created_at": "#notnull"}
      """

  Scenario: A missing item answers a JSON error detail
    When I GET /items/99
    Then the response status is 404
    And the response JSON is:
      """
      {"detail": "Item 99 not found"}
      """

  Scenario: A refused item explains every problem
    When I POST /items with JSON:
      """
      {"name": "", "price": -1}
      """
    Then the response status is 422
    And the JSON at "$.detail" has 2 items
    And the JSON at "$.detail[*].loc" contains ["body", "price"]
    And the JSON at "$.detail[*].type" is ["string_too_short", "greater_than_equal"]
    And the JSON at "$.detail[*].msg" matches "^(String|Input) should"
