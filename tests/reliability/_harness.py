"""Run one public call on fuzzed input and judge what came out.

A call may succeed, or raise an error of onesdk's documented tree; an :class:`ArgumentError`
must name an argument the caller actually passed. A ``TypeError`` raised by Python itself while
binding the arguments (an unknown keyword to a method without ``**kwargs``) is the language's
own answer and names the keyword, so it is accepted too. Anything else (a KeyError from deep
inside, a pyarrow error, a re.error, a hang) is a bug.
"""

from __future__ import annotations

import contextlib
import inspect
import signal
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType

from onesdk.errors import ArgumentError, OneSdkError, OneSdkWarning, UnknownTermError
from tests.reliability._report import RECORD

#: seconds one call may take before it counts as a hang
TIME_BOUND = 20.0


class CallTimedOut(BaseException):
    """Raised in the main thread when a call runs past its time bound."""


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`CallTimedOut` after ``seconds`` (main thread only)."""

    def alarm(signum: int, frame: FrameType | None) -> None:
        raise CallTimedOut(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _passed_names(
    func: Callable[..., object], args: Sequence[object], kwargs: Mapping[str, object]
) -> set[str]:
    """The keywords passed, and every parameter of ``func`` (a default may be the bad value)."""
    names = set(kwargs)
    with contextlib.suppress(TypeError, ValueError):
        names |= set(inspect.signature(func).parameters)
    return names


def _is_binding_error(
    func: Callable[..., object], args: Sequence[object], kwargs: Mapping[str, object]
) -> bool:
    """Whether Python itself refuses these arguments for ``func``'s signature."""
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError:
        return True
    except ValueError:
        return False
    return False


def judge(
    method: str,
    func: Callable[..., object],
    *args: object,
    section: str = "fuzz",
    **kwargs: object,
) -> object:
    """Call ``func(*args, **kwargs)``; count it under ``method``; fail on an unexpected outcome.

    Returns the call's result (None when it raised an accepted error).
    """
    try:
        with time_bound(TIME_BOUND), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = func(*args, **kwargs)
            if inspect.isgenerator(result):
                result = list(result)
        foreign = [w for w in caught if not issubclass(w.category, OneSdkWarning)]
        if foreign:
            raise AssertionError(f"warning outside onesdk's tree: {foreign[0].message!r}")
    except CallTimedOut:
        RECORD.case(section, method, "hang")
        raise AssertionError(
            f"{method}{_shown(args, kwargs)} did not return in {TIME_BOUND}s"
        ) from None
    except ArgumentError as exc:
        names = _passed_names(func, args, kwargs)
        named = set(exc.argument.split("/"))
        if isinstance(exc, UnknownTermError):  # an unknown key, maybe inside a dict argument
            named |= {n for n in names if n in str(exc)}
        shown = (exc.argument, repr(exc.argument)[1:-1])  # messages quote names with repr
        if not any(n in str(exc) for n in shown) or not names & named:
            RECORD.case(section, method, "bug")
            raise AssertionError(
                f"{method}{_shown(args, kwargs)}: ArgumentError names {exc.argument!r}, "
                f"not one of the arguments passed ({sorted(names)}): {exc}"
            ) from exc
        RECORD.case(section, method, "ArgumentError")
        return None
    except OneSdkError as exc:
        RECORD.case(section, method, type(exc).__name__)
        return None
    except FileNotFoundError:  # a path naming no file: the built-in every file API raises
        RECORD.case(section, method, "FileNotFoundError")
        return None
    except TypeError as exc:
        if _is_binding_error(func, args, kwargs):
            RECORD.case(section, method, "TypeError (binding)")
            return None
        RECORD.case(section, method, "bug")
        raise AssertionError(_unhandled(method, args, kwargs, exc)) from exc
    except Exception as exc:
        RECORD.case(section, method, "bug")
        raise AssertionError(_unhandled(method, args, kwargs, exc)) from exc
    RECORD.case(section, method, "ok")
    return result


def _shown(args: Sequence[object], kwargs: Mapping[str, object]) -> str:
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"({', '.join(parts)})"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) < 80 else f"{text[:60]}...<{len(text)} chars>"


def _unhandled(
    method: str, args: Sequence[object], kwargs: Mapping[str, object], exc: BaseException
) -> str:
    where = "".join(traceback.format_exception(exc)[-4:])
    return f"{method}{_shown(args, kwargs)} raised {type(exc).__name__}: {exc}\n{where}"
