"""behave's model of the suite kept small: what a finished feature no longer needs goes.

behave parses every feature file before the first scenario runs and keeps every feature,
scenario and step to the end of the run (its formatters and reporters read them). Most of
what each element holds is there for the few that fail: a `ManyCaptured` and a
`CaptureSinkAsCollector` for captured output (~300 bytes per element, five elements for a
scenario of four steps), the exception's traceback with its frames, and a copy of the file
name per element. On a suite of 10,000 scenarios that is more than 20 MB (tracemalloc, see
docs/benchmarks.md).

`install()` changes two things in behave's `model_core` and one in its parser, all put
back by `uninstall()`, and two functions give back what behave keeps without need:

- An element gets its capture objects when something first asks for them (behave does,
  as soon as the element runs); until then it shares one empty pair. Elements parsed
  while this is installed (the star import of `asgibdd.environment` installs it before
  behave parses) cost nothing until they run.
- The relative file name of an element is computed once per file, not once per element.
- Steps parsed while this is installed share one string per keyword (behave's parser
  makes one per step); `share_keywords(features)` does the same for steps parsed before.
- `release(feature)`, once every formatter and reporter has read a finished feature,
  gives back the capture objects of its elements that captured nothing, and drops the
  tracebacks (frames and their locals) of its exceptions: the exception, its message and
  the step's `error_message` stay, which is what every formatter prints.

What formatters print does not change (tests/test_behave_model.py compares behave's own
formatters' output with and without this). Where behave's code is not what this was made
for, `install()` does nothing.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

__all__ = ["install", "installed", "release", "share_keywords", "uninstall"]


class _LazyCapture(property):
    """`BasicStatement.captured` or `.capture_sink`: the element's own capture objects,
    made when first asked for. Holds the shared empty pair, and what it replaced in
    behave (`original`: behave's property; `replaced`: `model_core`'s names swapped with
    it, name → (behave's, the swap)) to put back."""

    def __init__(self, original: property, attribute: str, empty: Any, sink: Any) -> None:
        super().__init__(functools.partial(_own, attribute=attribute, empty=empty))
        self.original = original
        self.empty = empty
        self.sink = sink
        self.replaced: dict[str, tuple[Any, Any]] = {}


def _own(element: Any, attribute: str, empty: Any) -> Any:
    if element._captured is empty:
        from behave.capture import CaptureSinkAsCollector, ManyCaptured

        captured = ManyCaptured()
        sink = CaptureSinkAsCollector(captured)
        sink.store_on_success = element.STORE_CAPTURED_ON_SUCCESS
        element._captured, element._capture_sink = captured, sink
    return getattr(element, attribute)


def install() -> bool:
    """Make behave's model small from now on; a no-op where it is installed already or
    where behave's code is not what this was made for. `uninstall()` undoes it. Whether
    behave's model is small now."""
    from behave import capture, model_core, model_type

    statement = getattr(model_core, "BasicStatement", None)
    captured = vars(statement).get("captured") if statement is not None else None
    sink_property = vars(statement).get("capture_sink") if statement is not None else None
    swaps: dict[str, Any] = {
        "ManyCaptured": capture.ManyCaptured,
        "CaptureSinkAsCollector": capture.CaptureSinkAsCollector,
        "make_relpath_if_possible": model_type.make_relpath_if_possible,
    }
    if (
        statement is None
        or type(captured) is not property
        or type(sink_property) is not property
        or any(getattr(model_core, name, None) is not value for name, value in swaps.items())
    ):
        return isinstance(captured, _LazyCapture)
    empty = capture.ManyCaptured()
    sink = capture.CaptureSinkAsCollector(empty)
    lazy = _LazyCapture(captured, "_captured", empty, sink)
    lazy_sink = _LazyCapture(sink_property, "_capture_sink", empty, sink)
    mine: dict[str, Any] = {
        "ManyCaptured": lambda: empty,
        "CaptureSinkAsCollector": lambda *args, **kwargs: sink,
        # The same file's relative name, once: a str per element otherwise.
        "make_relpath_if_possible": functools.lru_cache(maxsize=256)(
            model_type.make_relpath_if_possible
        ),
    }
    for name, swap in mine.items():
        lazy.replaced[name] = (swaps[name], swap)
        setattr(model_core, name, swap)
    _share_parsed_keywords()
    statement.captured = lazy
    statement.capture_sink = lazy_sink
    return True


def installed() -> bool:
    """Whether behave's model is small now (elements parsed from now on are)."""
    from behave import model_core

    statement = getattr(model_core, "BasicStatement", None)
    return statement is not None and isinstance(vars(statement).get("captured"), _LazyCapture)


def uninstall() -> None:
    """Put back behave's own, if `install()` swapped it in (elements made meanwhile keep
    the shared empty pair, which reads as nothing captured)."""
    from behave import model_core

    statement = model_core.BasicStatement
    lazy = vars(statement).get("captured")
    if not isinstance(lazy, _LazyCapture):
        return
    for name, (original, swap) in lazy.replaced.items():
        if getattr(model_core, name, None) is swap:
            setattr(model_core, name, original)
    statement.captured = lazy.original
    _parse_steps_as_behave_does()
    lazy_sink = vars(statement).get("capture_sink")
    if isinstance(lazy_sink, _LazyCapture):
        statement.capture_sink = lazy_sink.original


def release(feature: Any) -> None:
    """Give back what no formatter or reporter reads of `feature` any more (call once they
    all have: when the next feature starts)."""
    from behave import model_core

    lazy = vars(model_core.BasicStatement).get("captured")
    for element in _elements(feature):
        _drop_traceback(element)
        if not isinstance(lazy, _LazyCapture):
            continue
        captured = getattr(element, "_captured", None)
        if captured is not None and captured is not lazy.empty and not captured.captures:
            element._captured, element._capture_sink = lazy.empty, lazy.sink


class _KeywordSharingParseStep:
    """`Parser.parse_step` giving the step it parsed the one string of its keyword (parsing
    is where the suite's peak is: sharing them later frees memory only after it)."""

    def __init__(self, original: Any) -> None:
        self.original = original

    def __get__(self, parser: Any, owner: Any = None) -> Any:
        return functools.partial(self, parser) if parser is not None else self

    def __call__(self, parser: Any, line: str) -> Any:
        step = self.original(parser, line)
        keyword = getattr(step, "keyword", None)
        if type(keyword) is str:
            step.keyword = sys.intern(keyword)
        return step


def _share_parsed_keywords() -> None:
    from behave.parser import Parser

    parse_step = vars(Parser).get("parse_step")
    if callable(parse_step) and not isinstance(parse_step, _KeywordSharingParseStep):
        Parser.parse_step = _KeywordSharingParseStep(parse_step)


def _parse_steps_as_behave_does() -> None:
    from behave.parser import Parser

    parse_step = vars(Parser).get("parse_step")
    if isinstance(parse_step, _KeywordSharingParseStep):
        Parser.parse_step = parse_step.original


def share_keywords(features: Any) -> None:
    """One string per keyword (`Given`, `And`, ...) for every step of `features`: behave's
    parser makes a new one for each step (`kw.rstrip()`), ~50 bytes each."""
    for feature in features:
        for element in _elements(feature):
            keyword = getattr(element, "keyword", None)
            if type(keyword) is str:
                element.keyword = sys.intern(keyword)


def _elements(feature: Any) -> list[Any]:
    elements: list[Any] = [feature]
    for scenario in feature.walk_scenarios(with_outlines=True):
        elements.append(scenario)
        elements.extend(getattr(scenario, "all_steps", ()))
    return elements


def _drop_traceback(element: Any) -> None:
    if getattr(element, "exc_traceback", None) is not None:
        element.exc_traceback = None
    error = getattr(element, "exception", None)
    while isinstance(error, BaseException):
        error.__traceback__ = None
        error = error.__cause__ or error.__context__
