"""The explicit API document check: the last response against the app's OpenAPI document.

Every response is already checked automatically when the run has a document (see
docs/contracts.md); this step states the check in the feature, and works in scenarios or
runs where the automatic check is off (`@asgibdd.contract=off`, `contract = false`).
"""

from __future__ import annotations

from typing import Any

from asgibdd.environment import get_world
from asgibdd.errors import ExpectationFailed
from asgibdd.extensions.contracts import ContractCheck
from asgibdd.steps.registry import library_step, step_usage_error
from asgibdd.steps.support.exchange import last_exchange

RESPONSE = "Response"


@library_step("the response matches the API schema", section=RESPONSE)
def response_matches_api_schema(context: Any) -> None:
    """Check the last response against the operation it answered in the app's OpenAPI
    document: a documented status and content type, a body valid against the schema.

    Example: Then the response matches the API schema
    """
    world = get_world(context)
    request, response = last_exchange(context)
    check = world.extension(ContractCheck)
    if check is None:
        raise step_usage_error(
            "needs the app's OpenAPI document, and this app publishes none asgibdd can find "
            "(it reads FastAPI's and Litestar's by itself). Name it with the `openapi` setting "
            'in [tool.asgibdd]: a file (openapi = "openapi.json") or a path the app serves '
            '(openapi = "/openapi.json").'
        )
    checker, client = check.checker, world.require_client()
    verdict = checker.check(
        request, response, fetch=client.get, root_path=client.root_path, secrets=world.secrets
    )
    if verdict.operation is None:
        raise ExpectationFailed(
            f"The API document ({checker.describe()}) describes no operation "
            f"{verdict.method} {verdict.path}, so the response cannot be checked against it. "
            "Document the operation, or drop this step for this request."
        )
    if verdict.violations:
        raise ExpectationFailed(checker.failure(verdict, request, response, world.secrets))
