"""The shared floor of the step library: what every concern module may use.

Concern modules (`http`, `response`, `json`, `variables`, `websocket`, `streaming`) import
this floor, the registry and the field types, and the layers below (`environment`,
`client`, `matching`, `transcript`) — never each other. What two concerns need lives here:

- `inputs`: doc strings, `name | value` tables, files next to features, expected values;
- `requests`: the scenario's request options (headers, auth, redirects) and sending;
- `exchange`: the last request and response, and their transcript;
- `subject`: `JSONSubject`, the JSON checks shared by responses, messages and events;
- `waits`: how long a step may wait, and the history block of a failure.
"""
