Feature: Talking to the demo service over websockets
  Clients connect, send and receive messages; several named clients share a chat room.

  Scenario: The echo endpoint sends back text, JSON and bytes
    When I connect to the websocket /ws/echo
    And I send text "hello" over the websocket
    Then I receive text "hello" from the websocket
    When I send JSON over the websocket:
      """
      {"greeting": "hi", "count": 2}
      """
    Then I receive JSON from the websocket:
      """
      {"count": 2, "greeting": "#string"}
      """
    And the message JSON at "$.count" is 2
    When I send bytes "00 ff 10" over the websocket
    Then I receive bytes "00ff10" from the websocket
    And I receive no message within 0.1 seconds

  Scenario: The echo endpoint closes with the code it is asked for
    Given the variable "code" is 4000
    When I connect to the websocket /ws/echo
    And I send JSON over the websocket:
      """
      {"close": "{{code}}"}
      """
    Then the websocket is closed with code 4000

  Scenario: Two people chat in a room: join notices, broadcast, leave notice
    When "alice" connects to the websocket /ws/chat/lobby?name=alice
    Then "alice" receives JSON:
      """
      {"type": "joined", "name": "alice", "room": "lobby"}
      """
    When "bob" connects to the websocket /ws/chat/lobby?name=bob
    Then "alice" receives JSON containing:
      """
      {"type": "joined", "name": "bob"}
      """
    And "bob" receives JSON containing:
      """
      {"type": "joined", "name": "bob"}
      """
    When "alice" sends text "hi bob"
    Then "alice" receives JSON from the websocket containing:
      """
      {"type": "message", "from": "alice"}
      """
    And "bob" receives JSON:
      """
      {"type": "message", "from": "alice", "text": "hi bob"}
      """
    And the message JSON at "$.text" is "hi bob"
    And the message JSON at "$.type" contains "mess"
    When "alice" closes the websocket
    Then "bob" receives JSON:
      """
      {"type": "left", "name": "alice"}
      """
    And "bob" receives no message within 0.1 seconds

  Scenario: The chat offers its subprotocol
    When I connect to the websocket /ws/chat/lobby?name=carol with subprotocol "chat"
    Then I receive JSON from the websocket containing:
      """
      {"type": "joined", "name": "carol"}
      """
    When I close the websocket

  # Over the network a close before accept reaches the client as an HTTP 403 only: the
  # close code exists only in-process.
  @in-process
  Scenario: A chat without a name is closed before it is accepted
    When I connect to the websocket /ws/chat/lobby
    Then the websocket connection is rejected
    And the websocket is closed with code 1008

  Scenario: The private endpoint refuses a client without a token
    When I connect to the websocket /ws/private
    Then the websocket connection is rejected with status 403

  Scenario: The private endpoint greets a client with a token
    When I POST /login with form:
      | name     | value  |
      | username | alice  |
      | password | s3cret |
    And I store the JSON at "$.access_token" as "token"
    When I connect to the websocket /ws/private?token={{token}}
    Then I receive JSON from the websocket:
      """
      {"type": "welcome", "user": "alice"}
      """
