Feature: Sending requests to the demo service
  Product owners describe requests in plain words; asgibdd sends them to the app in-process.

  Scenario: Log in with a form, keep the token, and use it as a bearer token
    When I POST /login with form:
      | name     | value  |
      | username | alice  |
      | password | s3cret |
    And I store the JSON at "$.access_token" as "token"
    Given I am authenticated with the bearer token "{{token}}"
    When I GET /me
    Then I store the JSON at "$.username" as "user"

  Scenario: Create an item from JSON and fetch it by the stored id
    Given the variable "fruit" is "apple"
    When I POST /items with JSON:
      """
      {"name": "{{fruit}}", "price": 3, "tags": ["red"]}
      """
    And I store the JSON at "$.id" as "item_id"
    And I store the response header "Location" as "location"
    When I GET /items/{{item_id}}
    Then I store the JSON at "$.name" as "name"
    When I GET {{location}}
    Then I store the JSON at "$.price" as "price"

  Scenario: Create an item from a table of JSON fields
    When I POST /items with JSON fields:
      | name  | value |
      | name  | pear  |
      | price | 2.5   |
    Then I store the JSON at "$.id" as "item_id"

  Scenario: Send query parameters from a table
    Given I POST /items with JSON fields:
      | name  | value |
      | name  | plum  |
      | price | 1     |
    When I GET /items with query:
      | name  | value |
      | q     | plum  |
      | limit | 1     |
    Then I store the JSON at "$.items[0].name" as "found"

  Scenario: Upload a fixture file
    When I POST /upload with file "fixtures/hello.txt" as "file"
    Then I store the JSON at "$.sha256" as "digest"

  Scenario: Send a raw body with its own content type
    Given the request header "Content-Type" is "text/plain"
    When I POST /echo with body:
      """
      hello
      """
    Then I store the response header "content-type" as "type"

  Scenario: Headers, cookies and basic authentication apply to the following requests
    Given the request headers:
      | name      | value |
      | X-Token   | abc   |
    And the cookie "flavour" is "oat"
    And I use basic authentication as "alice" with password "s3cret"
    When I GET /echo/headers
    Then I store the JSON at "$['x-token']" as "token"
    When I GET /cookies
    Then I store the JSON at "$.flavour" as "flavour"
    When I GET /basic
    Then I store the JSON at "$.username" as "user"

  Scenario: Redirects can be turned off to look at the redirect itself
    Given redirects are not followed
    When I GET /old-items
    Then I store the response header "Location" as "target"
    When I GET {{target}}
    Then I store the JSON at "$.count" as "count"
    And show the response
