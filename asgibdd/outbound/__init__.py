"""The app's outside world under the scenario's control (see docs/outbound.md).

- `stubs`: the services a scenario declares, their answers, the calls the app made, and
  the failure text of a call no step stubs — plain data, no HTTP library;
- `intercept`: those calls caught in this process (respx, responses, aioresponses);
- `server`: the stubs served over the network, for a live target.
"""
