"""Small but real apps, one per framework, that the framework tests drive.

Each serves the same contract, so one set of tests covers them all:

- `GET /hello` → 200 `{"hello": "world", "started": <lifespan ran>}`
- `POST /echo` with a JSON body → 201 `{"received": <the body>}`
- any unknown path → 404
- websocket `/ws` (where the framework has websockets): accept, then answer each text
  message `m` with `echo: m` until the client closes.

Frameworks with a lifespan append "startup" and "shutdown" to their module's `EVENTS`.
"""
