Feature: Reading streamed responses from the demo service
  Server-sent events and chunked bodies are read as they arrive, never buffered whole.

  Scenario: Ticks arrive as server-sent events with JSON data
    When I open the event stream /events?count=3&interval=0.01
    Then I receive an event "tick" with JSON:
      """
      {"n": 1}
      """
    And I receive an event "tick" with data "{\"n\": 2}"
    And I receive an event "tick" with id "3"

  Scenario: Events checked loosely: part of the JSON, part of the data, within a time
    When I open the event stream /events?count=3&interval=0.01
    Then I receive an event "tick" with JSON containing:
      """
      {"n": "#integer"}
      """
    And I receive an event "tick" with data containing "2"
    And I receive an event "tick" within 1 second

  Scenario: An endless stream delivers several events in time, and is closed at the end
    When I open the event stream /events?interval=0.01
    Then I receive 3 events within 1 second
    And I receive an event "tick" with JSON:
      """
      {"n": "#integer"}
      """

  Scenario: A new item is announced on the item event stream
    When I open the event stream /events/items
    And I POST /items with JSON:
      """
      {"name": "apple", "price": 3, "tags": ["red"]}
      """
    And I store the JSON at "$.id" as "item_id"
    Then I receive an event "item" with JSON:
      """
      {"id": "{{item_id}}", "name": "apple", "price": 3, "tags": ["red"], "created_at": "#datetime"}
      """

  Scenario: A chunked body is read line by line
    When I open the stream /stream/lines?count=2
    Then I receive the line "line 1"
    And I receive the line "line 2" within 2 seconds
    And the stream ends
