"""kfix: detect, fix, verify and schedule Kubernetes misconfiguration fixes.

The compiled extension ``kfix._core`` binds the C++ API; this package
re-exports a typed, Pythonic surface over it: functions return classes with
attributes (and ``.to_json()``), errors are :mod:`kfix.errors` exceptions
whose ``.code`` equals the C ``kfix_status``.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Dict, List, Optional, Union

from . import _core
from .errors import (
    Error,
    InternalError,
    InvalidArgumentError,
    IoError,
    LimitExceededError,
    NotFoundError,
    OutOfMemoryError,
    ParseError,
    PatchError,
    PermissionDeniedError,
    TestFailedError,
    UnsupportedError,
    VerificationError,
)

from ._model import (AuditVerifyResult, Check, FileFixPart, FileScanPart, Finding, FixOutcome, FixResult, Gate,
                     LoadResult, Manifest,
                     ObjectRef, RankedItem, RenderedFile, RiskReport, RiskTerm, RunResult, RunSummary, ScanReport,
                     Schedule, ScheduledFix, ScoredFinding, Verdict, WriteBackResult)
from ._stream import PartStream

__version__: str = _core.version()

Text = Union[str, bytes]
PathLike = Union[str, "os.PathLike[str]"]


def _paths(paths: Any, what: str) -> List[str]:
    if not paths:
        raise InvalidArgumentError(f"{what}() needs at least one path")
    return [os.fspath(p) for p in paths]


def version() -> str:
    """Version of the linked kfix library.

    Returns:
        ``"MAJOR.MINOR.PATCH"``, e.g. ``"0.1.0"``.

    Example:
        >>> kfix.version() == kfix.__version__
        True
    """
    return _core.version()


def status_name(code: int) -> str:
    """Stable name of a status code (``kfix_status`` / ``Error.code``).

    Args:
        code: any integer; unknown codes give ``"unknown"``.

    Returns:
        The name, e.g. ``"parse_error"`` for 2.

    Example:
        >>> kfix.status_name(kfix.ParseError.code)
        'parse_error'
    """
    return _core.status_name(code)


# ---- Loading and JSON -----------------------------------------------------------


def parse(text: Text, source_name: str = "<string>", *, strict: bool = True) -> LoadResult:
    """Loads manifests from YAML or JSON text (multi-document, ``kind: List`` expanded).

    Args:
        text: the manifests (str or bytes).
        source_name: the file name objects and errors carry.
        strict: raise the first unreadable document's error; otherwise return it in
            ``LoadResult.errors`` next to everything that loaded.

    Returns:
        The :class:`LoadResult`.

    Raises:
        ParseError: (``strict``) a document is not YAML/JSON, with ``.line``/``.column``.
        LimitExceededError: (``strict``) a document exceeds the parse limits.

    Example:
        >>> [m.kind for m in kfix.parse("kind: Pod\n---\nkind: Service\n")]
        ['Pod', 'Service']
    """
    result = LoadResult._from_core(_core.parse(text, source_name))
    if strict:
        result.raise_for_errors()
    return result


def load(*paths: PathLike, strict: bool = True, jobs: int = 1) -> LoadResult:
    """Loads files and directories (``*.yaml``, ``*.yml``, ``*.json``, recursively, sorted).

    Files are read and parsed on ``jobs`` C++ threads with the GIL released; the result is the
    same for any ``jobs``.

    Args:
        paths: files and directories.
        strict: raise the first unreadable document's error (else return it in ``errors``).
        jobs: threads (0: one per core).

    Returns:
        The :class:`LoadResult`.

    Raises:
        NotFoundError: a path does not exist (whatever ``strict`` says; the rule of every path
            entry point).
        InvalidArgumentError: no path given.
        ParseError: (``strict``) a document cannot be read.

    Example:
        >>> len(kfix.load("deploy/", jobs=2))
        14
    """
    result = LoadResult._from_core(_core.load(_paths(paths, "load"), jobs))
    if strict:
        result.raise_for_errors()
    return result


def expand_paths(*paths: PathLike) -> List[str]:
    """The files a scan of ``paths`` reads: files as given, directories walked recursively for
    ``*.yaml``, ``*.yml``, ``*.json`` (sorted).

    Args:
        paths: files and directories.

    Returns:
        The file list.

    Raises:
        NotFoundError: a path does not exist.

    Example:
        >>> kfix.expand_paths("deploy/")
        ['deploy/api.yaml', 'deploy/web.yaml']
    """
    return _core.expand_paths([os.fspath(p) for p in paths])


def parse_json(text: Text) -> Any:
    """Parses strict JSON (RFC 8259).

    Args:
        text: JSON text (str or bytes, UTF-8).

    Returns:
        Python values (dict, list, str, int, float, bool, None).

    Raises:
        ParseError: not JSON, with the position.

    Example:
        >>> kfix.parse_json('{"a": [1, 2]}')
        {'a': [1, 2]}
    """
    return _core.parse_json(text)


def to_json(value: Any, *, pretty: bool = False, canonical: bool = False) -> str:
    """Serialises JSON-like values with kfix's one JSON writer (always valid UTF-8).

    Args:
        value: dicts, lists, str, int, float, bool, None.
        pretty: indented as kfix's documents are printed.
        canonical: sorted keys, as kfix hashes and signs.

    Returns:
        The JSON text.

    Raises:
        InvalidArgumentError: a value that is not JSON-like.

    Example:
        >>> kfix.to_json({"b": 1, "a": 2}, canonical=True)
        '{"a":2,"b":1}'
    """
    return _core.to_json(value, pretty, canonical)


def to_yaml(value: Any) -> str:
    """Block-style YAML that loads back to the same value.

    Args:
        value: JSON-like values.

    Returns:
        The YAML text.

    Raises:
        InvalidArgumentError: a value that is not JSON-like.

    Example:
        >>> kfix.to_yaml({"a": [1]})
        'a:\n  - 1\n'
    """
    return _core.to_yaml(value)


# ---- Patches -------------------------------------------------------------------


def apply_patch(doc: Any, patch: Any) -> Any:
    """Applies an RFC 6902 JSON Patch atomically and returns the patched document.

    Args:
        doc: JSON text (str or bytes) or Python values (never modified in place).
        patch: JSON text or a list of operations.

    Returns:
        The patched document as Python values.

    Raises:
        PatchError: an operation cannot apply.
        TestFailedError: a ``test`` operation did not match.
        ParseError, InvalidArgumentError: malformed input.

    Example:
        >>> kfix.apply_patch({"a": 1}, [{"op": "replace", "path": "/a", "value": 2}])
        {'a': 2}
    """
    return _core.apply_patch(doc, patch)


def diff(source: Any, target: Any) -> List[Any]:
    """A small RFC 6902 patch (add/remove/replace) turning ``source`` into ``target``.

    Args:
        source: JSON text or Python values.
        target: JSON text or Python values.

    Returns:
        The operations; ``apply_patch(source, diff(source, target)) == target``.

    Raises:
        ParseError: malformed JSON text.

    Example:
        >>> kfix.diff({"a": 1}, {"a": 2})
        [{'op': 'replace', 'path': '/a', 'value': 2}]
    """
    return _core.diff(source, target)


# ---- Engine and scanning -----------------------------------------------------------

Config = Union[Dict[str, Any], str, bytes, None]


class Engine:
    """An immutable engine built from one configuration document; build once, share between threads.

    The document is the one every kfix surface reads (``kfix --config``, ``kfix_engine_new``):
    kube-linter's ``.kube-linter.yaml`` keys (``checks``, ``customChecks``) plus kfix's
    ``kfixRules``, ``scan`` (``context``: ``"all"`` or ``"per-file"``, ``jobs``), ``fix``,
    ``risk`` (``epss``/``kev``/``trivy`` feed files, read once here; ``attack``) and ``schedule``
    sections (docs/config.md).

    Every path entry point follows one rule: a path that does not exist raises
    :class:`NotFoundError`; files that exist but cannot be read or parsed are data (listed in the
    result's ``errors`` as :class:`Error` instances) and the rest goes on. The GIL is released
    while the engine works.

    Args:
        config: a dict, YAML or JSON text (errors then point into that text: ``config:LINE:COL``),
            or None for the defaults.

    Raises:
        InvalidArgumentError: a bad value or an unknown key (the message lists the valid sections).
        ParseError: the text is not YAML/JSON, or an included check does not exist.
        NotFoundError, IoError: a risk feed file cannot be read.

    Example:
        >>> engine = kfix.Engine("checks: {addAllBuiltIn: true}\nscan: {context: per-file}\n")
        >>> report = engine.scan_paths("deploy/")
        >>> [f.check for f in report.findings][:2]
        ['latest-tag', 'no-read-only-root-fs']
    """

    def __init__(self, config: Config = None) -> None:
        self._engine = _core.Engine(config)
        self.config: Config = config

    @classmethod
    def from_file(cls, path: PathLike) -> "Engine":
        """Builds the engine from a configuration file, exactly as ``kfix --config PATH`` does.

        Args:
            path: a YAML or JSON configuration document.

        Returns:
            The engine; errors name the file with line and column.

        Raises:
            NotFoundError, IoError: the file cannot be read.
            InvalidArgumentError, ParseError: as for :class:`Engine`.

        Example:
            >>> engine = kfix.Engine.from_file(".kube-linter.yaml")
        """
        engine = cls.__new__(cls)
        engine._engine = _core.Engine.from_file(os.fspath(path))
        engine.config = os.fspath(path)
        return engine

    def scan(self, text: Text, source_name: str = "<string>") -> ScanReport:
        """Scans YAML/JSON manifest text (one file, one lint context).

        Args:
            text: manifests (str or bytes), multi-document.
            source_name: the file name findings and errors carry.

        Returns:
            The :class:`ScanReport`; unreadable documents are in ``report.errors``.

        Example:
            >>> engine.scan(open("web.yaml").read(), "web.yaml").findings[0].check
            'latest-tag'
        """
        return ScanReport(self._engine.scan(text, source_name))

    def scan_paths(self, *paths: PathLike, jobs: int = 0) -> ScanReport:
        """Scans files and directories (``*.yaml``, ``*.yml``, ``*.json``, recursively, sorted) as one
        lint context, like ``kfix scan PATH...``.

        Args:
            paths: files and directories.
            jobs: threads (0: the configuration's ``scan.jobs``); the report is the same for any value.

        Returns:
            The :class:`ScanReport`; files that cannot be read or parsed are in ``report.errors``.

        Raises:
            NotFoundError: a path does not exist.
            InvalidArgumentError: no path given.

        Example:
            >>> engine.scan_paths("deploy/", "extra.yaml").stats["files"]
            12
        """
        return ScanReport(self._engine.scan_paths(_paths(paths, "scan_paths"), int(jobs)))

    def scan_paths_per_file(self, *paths: PathLike, jobs: int = 0) -> PartStream[FileScanPart]:
        """Scans files and directories with each file its own lint context, streamed: an iterator
        that yields one :class:`FileScanPart` per file, in report order (by file name), as soon as
        the file is scanned (like ``kfix scan --context per-file``).

        Only a few files' trees are in memory at a time (``jobs`` files are scanned at once, a few
        more wait their turn, one waits for you), so a corpus far larger than memory can be scanned
        with peak memory following its largest file. The engine works without the GIL, on a helper
        thread. Leaving the loop early (``break``, an exception) or calling ``close()`` stops the
        run.

        Args:
            paths: files and directories.
            jobs: threads (0: the configuration's ``scan.jobs``); the parts and their order are the
                same for any value.

        Returns:
            The iterator (also a context manager that closes it).

        Raises:
            InvalidArgumentError: no path given (at once).
            NotFoundError: a path does not exist (from the first ``next()``, before any part).

        Example:
            >>> for part in engine.scan_paths_per_file("deploy/", jobs=2):
            ...     print(part.file, len(part.report.findings))
        """
        listed = _paths(paths, "scan_paths_per_file")
        return PartStream(lambda hand: self._engine.scan_paths_per_file(listed, hand, int(jobs)), FileScanPart)

    def fix_paths_per_file(self, *paths: PathLike, jobs: int = 0, write: Optional[PathLike] = None,
                           in_place: bool = False, diff: bool = False) -> PartStream[FileFixPart]:
        """:meth:`fix_paths` with each file its own lint context, streamed like
        :meth:`scan_paths_per_file`: yields one :class:`FileFixPart` per file, in report order, once
        the file is fixed (every patch vetted within the file) and, when asked, written back (like
        ``kfix fix --context per-file --write DIR | --in-place [--diff]``; each write as safe as
        :meth:`FixResult.write`).

        Args:
            paths: files and directories.
            jobs: threads (0: the configuration's ``scan.jobs``).
            write: write each file, fixed or copied unchanged, under this directory.
            in_place: rewrite the files that have accepted fixes in place.
            diff: give each part its unified diff (``part.diff``).

        Returns:
            The iterator (also a context manager that closes it).

        Raises:
            InvalidArgumentError: no path given, or the write-back cannot go through (stdin, two inputs at one
                output, an output that is an input): from the first ``next()``, before anything is written.
            NotFoundError: a path does not exist (from the first ``next()``).

        Example:
            >>> for part in engine.fix_paths_per_file("deploy/", write="fixed/"):
            ...     print(part.file, part.written["output"], len(part.report.accepted()))
        """
        listed = _paths(paths, "fix_paths_per_file")
        options: Optional[Dict[str, Any]] = None
        if write is not None or in_place or diff:
            options = {"diff": bool(diff)}
            if write is not None:
                options["write"] = os.fspath(write)
            if in_place:
                options["inPlace"] = True
        return PartStream(lambda hand: self._engine.fix_paths_per_file(listed, hand, int(jobs), options),
                          FileFixPart)

    def scan_many(self, docs: List[Text], *, jobs: int = 0,
                  source_names: Optional[List[str]] = None) -> List[ScanReport]:
        """Scans each text as its own file on a C++ thread pool, with the GIL released for the batch.

        Args:
            docs: manifest texts.
            jobs: threads (0: one per core); results are in input order and identical for any value.
            source_names: a name per text (default ``<doc-N>``).

        Returns:
            One :class:`ScanReport` per text.

        Raises:
            InvalidArgumentError: ``source_names`` and ``docs`` differ in length.

        Example:
            >>> [len(r) for r in engine.scan_many([a_text, b_text], jobs=2)]
            [3, 0]
        """
        raw = self._engine.scan_many(list(docs), list(source_names or []), int(jobs))
        return [ScanReport(r) for r in raw]

    def fix(self, text: Text, source_name: str = "<string>") -> FixResult:
        """Proposes a minimal RFC 6902 fix per finding, each vetted by every guard gate.

        Args:
            text: manifests (str or bytes).
            source_name: the file name results and errors carry.

        Returns:
            The :class:`FixResult` (the ``kfix fix --format json`` document); it keeps the text, so
            :meth:`FixResult.render` gives the fixed file with every comment and quote kept.

        Example:
            >>> [r.status for r in engine.fix(text, "web.yaml").results]
            ['accepted', 'accepted', 'needs-review']
        """
        core = self._engine.fix_report(text, source_name)
        return FixResult(core.document(), core)

    def fix_paths(self, *paths: PathLike, jobs: int = 0) -> FixResult:
        """:meth:`fix` over files and directories (one lint context), like ``kfix fix PATH...``.

        Args:
            paths: files and directories.
            jobs: threads (0: the configuration's ``scan.jobs``).

        Returns:
            The :class:`FixResult`.

        Raises:
            NotFoundError: a path does not exist.
            InvalidArgumentError: no path given.

        Example:
            >>> len(engine.fix_paths("deploy/").accepted())
            9
        """
        core = self._engine.fix_report_paths(_paths(paths, "fix_paths"), int(jobs))
        return FixResult(core.view(), core)

    def propose_paths(self, *paths: PathLike, mode: Optional[str] = None, endpoint: Optional[str] = None,
                      model: Optional[str] = None, api_key_env: Optional[str] = None,
                      max_attempts: Optional[int] = None, jobs: int = 0, http_post: Any = None,
                      **options: Any) -> FixResult:
        """Like :meth:`fix_paths` with a chosen proposer, as ``kfix propose`` (docs/propose.md).

        ``mode="openai"`` asks an OpenAI-compatible chat-completions endpoint first for every finding;
        each answer passes the same gates and rescan as a rules patch, refusals are retried with the
        gate's reason, then the rules are the fallback. Manifests are redacted before anything is sent.
        The HTTP POST is the standard library's urllib (``http_post`` replaces it); kfix releases the
        GIL while it works and takes it only for each POST.

        Args:
            paths: files and directories.
            mode: ``"rules"`` or ``"openai"`` (None: the configuration's ``propose.mode``).
            endpoint: base URL; ``/v1/chat/completions`` is appended unless present.
            model: model name.
            api_key_env: the environment variable holding the API key (``""``: no key). Keys are
                never passed as arguments.
            max_attempts: model answers per finding (1..20).
            jobs: threads (0: the configuration's ``scan.jobs``).
            http_post: ``post(url, headers, body, timeout) -> (status, body, retry_after)``.
            options: other ``propose:`` keys in snake case (``timeout_seconds``, ``retries``,
                ``backoff_seconds``, ``concurrency``, ``max_requests``, ``max_tokens``,
                ``fallback``, ...).

        Returns:
            The :class:`FixResult`; each outcome has ``proposer`` and ``attempts``, the summary
            ``proposers``.

        Raises:
            NotFoundError: a path does not exist.
            InvalidArgumentError: a bad option, openai mode without endpoint or model, or the key
                variable is not set.

        Example:
            >>> r = engine.propose_paths("deploy/", mode="openai", endpoint="http://127.0.0.1:8000",
            ...                          model="qwen2.5-coder", api_key_env="")
            >>> r.summary["proposers"]["llm"]["accepted"]
            7
        """
        overrides: Dict[str, Any] = {}
        for key, value in (("mode", mode), ("endpoint", endpoint), ("model", model),
                           ("apiKeyEnv", api_key_env), ("maxAttempts", max_attempts)):
            if value is not None:
                overrides[key] = value
        for key, value in options.items():
            parts = key.split("_")
            overrides[parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])] = value
        if http_post is None:
            from ._http import urllib_post
            http_post = urllib_post
        return FixResult(self._engine.propose_paths(_paths(paths, "propose_paths"), overrides or None, http_post,
                                                    int(jobs)))

    def verify_patch(self, manifest: Text, patch: Any, *, document: int = 0, check: Optional[str] = None,
                     container: Optional[str] = None) -> Verdict:
        """Vets an external patch against one document of ``manifest`` through every guard gate.

        Args:
            manifest: the manifest text (YAML or JSON).
            patch: a list of RFC 6902 operations, or text holding one (JSON, code fences, prose).
            document: the document of ``manifest`` to patch.
            check: when given, that finding must exist and the rescan gate targets it.
            container: narrows ``check`` to one container.

        Returns:
            The :class:`Verdict`; a rejected patch is a verdict with ``accepted`` False.

        Raises:
            ParseError: the document cannot be read.
            NotFoundError: no such document, or ``check`` names no finding on it.

        Example:
            >>> engine.verify_patch(text, [{"op": "remove", "path": "/spec"}]).reason
            'destructive'
        """
        if not isinstance(patch, (str, bytes)):
            patch = _core.to_json(patch, False, False)
        return Verdict(self._engine.verify_patch(manifest, patch, int(document), check or "", container or ""))

    def risk(self, text: Text, source_name: str = "<string>") -> RiskReport:
        """Scans ``text`` and scores every finding 0-100 with the engine's ``risk`` feeds.

        Args:
            text: manifests (str or bytes).
            source_name: the file name results and errors carry.

        Returns:
            The :class:`RiskReport` (the ``kfix risk --format json`` document).

        Example:
            >>> max(r.risk for r in engine.risk(text).results)
            87.5
        """
        return RiskReport(self._engine.risk(text, source_name))

    def risk_paths(self, *paths: PathLike, jobs: int = 0) -> RiskReport:
        """:meth:`risk` over files and directories (each file its own lint context), like ``kfix risk``.

        Args:
            paths: files and directories.
            jobs: threads (0: the configuration's ``scan.jobs``).

        Returns:
            The :class:`RiskReport`.

        Raises:
            NotFoundError: a path does not exist.
            InvalidArgumentError: no path given.

        Example:
            >>> len(engine.risk_paths("deploy/"))
            31
        """
        return RiskReport(self._engine.risk_paths(_paths(paths, "risk_paths"), int(jobs)))

    def schedule(self, text: Text, source_name: str = "<string>") -> Schedule:
        """Scans, scores and ranks every finding for fixing (the engine's ``schedule`` section).

        Args:
            text: manifests (str or bytes).
            source_name: the file name items carry.

        Returns:
            The :class:`Schedule` (``kfix schedule rank``), best first.

        Example:
            >>> engine.schedule(text).items[0].rank
            1
        """
        return Schedule(self._engine.schedule(text, source_name))

    def run(self, text: Text, source_name: str = "<string>", *, now: float = 0.0) -> RunResult:
        """Runs the whole loop of ``kfix run`` over ``text`` (one lint context): scan, a vetted fix per
        finding, risk with the engine's feeds, and the accepted fixes ranked for fixing.

        Args:
            text: manifests (str or bytes).
            source_name: the file name everything carries.
            now: the caller's clock in seconds: the enqueue time of every scheduled fix.

        Returns:
            The :class:`RunResult`; unreadable documents are listed in ``result.findings.errors``
            and counted in ``result.summary.errors``.

        Example:
            >>> engine.run(text, "web.yaml", now=time.time()).summary.accepted
            4
        """
        return RunResult._from_core(self._engine.run(text, source_name, float(now)))

    def run_paths(self, *paths: PathLike, now: float = 0.0, jobs: int = 0) -> RunResult:
        """:meth:`run` over files and directories (one lint context), like ``kfix run PATH...``.

        The GIL is released for the whole run and the result's Python objects are built only when
        an attribute is first read, so other Python threads keep running.

        Args:
            paths: files and directories.
            now: the caller's clock in seconds.
            jobs: threads (0: the configuration's ``scan.jobs``); the result does not depend on it.

        Returns:
            The :class:`RunResult`.

        Raises:
            NotFoundError: a path does not exist.
            InvalidArgumentError: no path given.

        Example:
            >>> result = engine.run_paths("deploy/", now=time.time(), jobs=2)
            >>> result.write("out/")
        """
        return RunResult._from_core(self._engine.run_paths(_paths(paths, "run_paths"), float(now), int(jobs)))

    def checks(self) -> List[Check]:
        """The enabled checks, sorted by name.

        Returns:
            One :class:`Check` per enabled check.

        Example:
            >>> "latest-tag" in {c.name for c in kfix.Engine().checks()}
            True
        """
        return [Check(c) for c in self._engine.checks()]

    def __repr__(self) -> str:
        return f"Engine({self.config!r})"


_default_engine: Optional[Engine] = None
_default_lock = threading.Lock()


def _engine_for(config: Config) -> Engine:
    global _default_engine
    if config is not None:
        return Engine(config)
    with _default_lock:
        if _default_engine is None:
            _default_engine = Engine()
        return _default_engine


def scan(text: Text, source_name: str = "<string>", *, config: Config = None) -> ScanReport:
    """Scans manifest text with the default checks (or ``config``); see :meth:`Engine.scan`.

    Args:
        text: manifests (str or bytes).
        source_name: the file name findings carry.
        config: an engine configuration (see :class:`Engine`); None for the defaults.

    Returns:
        The :class:`ScanReport`.

    Raises:
        InvalidArgumentError, ParseError: a bad ``config``.

    Example:
        >>> kfix.scan("kind: Pod\nmetadata: {name: p}\n", "p.yaml").findings
        []
    """
    return _engine_for(config).scan(text, source_name)


def scan_paths(*paths: PathLike, jobs: int = 0, config: Config = None) -> ScanReport:
    """Scans files and directories; see :meth:`Engine.scan_paths`.

    Args:
        paths: files and directories.
        jobs: threads (0: the configuration's ``scan.jobs``).
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`ScanReport`.

    Raises:
        NotFoundError: a path does not exist.
        InvalidArgumentError: no path given, or a bad ``config``.

    Example:
        >>> kfix.scan_paths("deploy/").to_pandas().groupby("check").size()
    """
    return _engine_for(config).scan_paths(*paths, jobs=jobs)


def scan_many(docs: List[Text], *, jobs: int = 0, source_names: Optional[List[str]] = None,
              config: Config = None) -> List[ScanReport]:
    """Scans many texts in parallel on a C++ thread pool; see :meth:`Engine.scan_many`.

    Args:
        docs: manifest texts.
        jobs: threads (0: one per core).
        source_names: a name per text.
        config: an engine configuration; None for the defaults.

    Returns:
        One :class:`ScanReport` per text, in input order.

    Raises:
        InvalidArgumentError: ``source_names`` and ``docs`` differ in length.

    Example:
        >>> reports = kfix.scan_many(texts, jobs=4)
    """
    return _engine_for(config).scan_many(docs, jobs=jobs, source_names=source_names)


def fix(text: Text, source_name: str = "<string>", *, config: Config = None) -> FixResult:
    """Scans and fixes manifest text; see :meth:`Engine.fix`.

    Args:
        text: manifests (str or bytes).
        source_name: the file name results carry.
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`FixResult`.

    Raises:
        InvalidArgumentError, ParseError: a bad ``config``.

    Example:
        >>> [r.patch for r in kfix.fix(text).accepted()]
    """
    return _engine_for(config).fix(text, source_name)


def fix_paths(*paths: PathLike, jobs: int = 0, config: Config = None) -> FixResult:
    """Scans and fixes files and directories; see :meth:`Engine.fix_paths`.

    Args:
        paths: files and directories.
        jobs: threads (0: the configuration's ``scan.jobs``).
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`FixResult`.

    Raises:
        NotFoundError: a path does not exist.
        InvalidArgumentError: no path given, or a bad ``config``.

    Example:
        >>> kfix.fix_paths("deploy/").summary
    """
    return _engine_for(config).fix_paths(*paths, jobs=jobs)


def propose(paths: Union[PathLike, List[PathLike]], mode: Optional[str] = None, *, endpoint: Optional[str] = None,
            model: Optional[str] = None, api_key_env: Optional[str] = None, max_attempts: Optional[int] = None,
            jobs: int = 0, config: Union[Config, "Engine"] = None, http_post: Any = None,
            **options: Any) -> FixResult:
    """Fixes files and directories with rules or an OpenAI-compatible model; see :meth:`Engine.propose_paths`.

    Args:
        paths: a file or directory, or a list of them.
        mode: ``"rules"`` or ``"openai"`` (None: the configuration's ``propose.mode``).
        endpoint: base URL of the chat-completions server.
        model: model name.
        api_key_env: the environment variable holding the API key (``""``: no key).
        max_attempts: model answers per finding.
        jobs: threads.
        config: an engine configuration (or an :class:`Engine`); None for the defaults.
        http_post: replaces the urllib POST.
        options: other ``propose:`` keys in snake case.

    Returns:
        The same :class:`FixResult` as :func:`fix_paths`, with proposers and attempts.

    Raises:
        NotFoundError: a path does not exist.
        InvalidArgumentError: a bad option, or the key variable is not set.

    Example:
        >>> kfix.propose("deploy/", mode="openai", endpoint="https://api.openai.com", model="gpt-4o-mini")
    """
    engine = config if isinstance(config, Engine) else _engine_for(config)
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]  # type: ignore[list-item]
    return engine.propose_paths(*paths, mode=mode, endpoint=endpoint, model=model,  # type: ignore[misc]
                                api_key_env=api_key_env, max_attempts=max_attempts, jobs=jobs,
                                http_post=http_post, **options)


def verify_patch(manifest: Text, patch: Any, *, config: Config = None, document: int = 0,
                 check: Optional[str] = None, container: Optional[str] = None) -> Verdict:
    """Vets a patch against one document of ``manifest``; see :meth:`Engine.verify_patch`.

    Args:
        manifest: the manifest text.
        patch: RFC 6902 operations, or text holding them.
        config: an engine configuration; None for the defaults.
        document: the document to patch.
        check: the finding the patch must close (optional).
        container: narrows ``check`` to one container.

    Returns:
        The :class:`Verdict`.

    Raises:
        ParseError: the document cannot be read.
        NotFoundError: no such document or finding.

    Example:
        >>> bool(kfix.verify_patch(text, llm_answer))
        False
    """
    return _engine_for(config).verify_patch(manifest, patch, document=document, check=check, container=container)


def risk_score(text: Text, source_name: str = "<string>", *, config: Config = None) -> RiskReport:
    """Scans and scores findings 0-100; ``config["risk"]`` names EPSS/KEV/Trivy feeds (see :class:`Engine`).

    Args:
        text: manifests (str or bytes).
        source_name: the file name results carry.
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`RiskReport`.

    Raises:
        NotFoundError, IoError: a feed file cannot be read.

    Example:
        >>> kfix.risk_score(text, config={"risk": {"kev": "kev.json"}}).results[0].kev
        True
    """
    return _engine_for(config).risk(text, source_name)


def schedule(text: Text, source_name: str = "<string>", *, config: Config = None) -> Schedule:
    """Ranks the findings of ``text`` for fixing; see :meth:`Engine.schedule`.

    Args:
        text: manifests (str or bytes).
        source_name: the file name items carry.
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`Schedule`.

    Raises:
        InvalidArgumentError, ParseError: a bad ``config``.

    Example:
        >>> [i.check for i in kfix.schedule(text).items[:3]]
    """
    return _engine_for(config).schedule(text, source_name)


def run(text: Text, source_name: str = "<string>", *, now: float = 0.0, config: Config = None) -> RunResult:
    """The whole ``kfix run`` loop over manifest text; see :meth:`Engine.run`.

    Args:
        text: manifests (str or bytes).
        source_name: the file name everything carries.
        now: the caller's clock in seconds.
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`RunResult`.

    Raises:
        InvalidArgumentError, ParseError: a bad ``config``.

    Example:
        >>> kfix.run(text, now=time.time()).summary
    """
    return _engine_for(config).run(text, source_name, now=now)


def run_paths(*paths: PathLike, now: float = 0.0, jobs: int = 0, config: Config = None) -> RunResult:
    """The whole ``kfix run`` loop over files and directories; see :meth:`Engine.run_paths`.

    Args:
        paths: files and directories.
        now: the caller's clock in seconds.
        jobs: threads (0: the configuration's ``scan.jobs``).
        config: an engine configuration; None for the defaults.

    Returns:
        The :class:`RunResult`.

    Raises:
        NotFoundError: a path does not exist.
        InvalidArgumentError: no path given, or a bad ``config``.

    Example:
        >>> kfix.run_paths("deploy/", now=time.time()).write("out/")
    """
    return _engine_for(config).run_paths(*paths, now=now, jobs=jobs)


# ---- Durable fix queue -------------------------------------------------------------


class Queue:
    """The crash-safe SQLite fix queue (``kfix queue``): enqueue accepted fixes, lease, ack/nack.

    ``now`` is an injected clock in seconds (default: ``time.time()``). Items are plain dicts
    (``id``, ``leaseToken``, ``patch``, ``record``, ``state``, ...). Use it as a context manager
    (or call :meth:`close`) to release the database deterministically.

    Args:
        path: the database file (created if needed).
        max_attempts: nacks before an item is dead.
        busy_timeout_ms: how long to wait for another process holding the database.

    Raises:
        IoError: the file cannot be opened or is not a kfix queue.
        InvalidArgumentError: a bad option.

    Example:
        >>> with kfix.Queue("fixes.db") as q:
        ...     q.enqueue(kfix.fix(text))
        ...     item = q.lease("worker-1", 300)
        ...     q.ack(item["id"], item["leaseToken"])
    """

    def __init__(self, path: PathLike, *, max_attempts: int = 3, busy_timeout_ms: int = 10000) -> None:
        self._q = _core.Queue(os.fspath(path), {"maxAttempts": max_attempts, "busyTimeoutMs": busy_timeout_ms})

    @staticmethod
    def _now(now: Optional[float]) -> float:
        return time.time() if now is None else float(now)

    def enqueue(self, fix_result: Union["FixResult", Dict[str, Any]], *, now: Optional[float] = None) -> Dict[str, Any]:
        """Enqueues every accepted fix of a fix report, idempotently.

        Args:
            fix_result: a :class:`FixResult` (or ``RunResult.fixes``), or its document.
            now: clock in seconds (default ``time.time()``).

        Returns:
            ``{"schemaVersion", "enqueued", "duplicates", "ids"}``.

        Raises:
            ParseError: a result of the wrong shape.
            InvalidArgumentError: the queue is closed.

        Example:
            >>> q.enqueue(kfix.fix(text))["enqueued"]
            3
        """
        doc = fix_result.to_dict() if isinstance(fix_result, FixResult) else fix_result
        return self._q.enqueue_fix_report(doc, self._now(now))  # type: ignore[return-value]

    def lease(self, worker: str = "kfix", lease_seconds: float = 300.0, *,
              now: Optional[float] = None) -> Optional[Dict[str, Any]]:
        """Leases the best queued item.

        Args:
            worker: the lease owner's name.
            lease_seconds: how long the lease lasts (> 0).
            now: clock in seconds.

        Returns:
            The item, or None when the queue is empty.

        Raises:
            InvalidArgumentError: ``lease_seconds`` <= 0, or the queue is closed.

        Example:
            >>> item = q.lease("worker-1", 60)
        """
        return self._q.lease(worker, lease_seconds, self._now(now))  # type: ignore[return-value]

    def ack(self, item_id: int, lease_token: int = 0, *, now: Optional[float] = None) -> Dict[str, Any]:
        """Marks a leased item done (the fix was applied).

        Args:
            item_id: the item's ``id``.
            lease_token: its ``leaseToken`` (0: not checked).
            now: clock in seconds.

        Returns:
            ``{"schemaVersion", "id", "state", "attempts"}``.

        Raises:
            NotFoundError: unknown id, not leased, lease expired or token mismatch.

        Example:
            >>> q.ack(item["id"], item["leaseToken"])["state"]
            'done'
        """
        return self._q.ack(item_id, lease_token, self._now(now))  # type: ignore[return-value]

    def nack(self, item_id: int, reason: str, lease_token: int = 0, *, now: Optional[float] = None) -> Dict[str, Any]:
        """Gives a leased item back: queued again, or dead after ``max_attempts``.

        Args:
            item_id: the item's ``id``.
            reason: why the fix was not applied (recorded).
            lease_token: its ``leaseToken`` (0: not checked).
            now: clock in seconds.

        Returns:
            ``{"schemaVersion", "id", "state", "attempts"}``.

        Raises:
            NotFoundError: unknown id, not leased, lease expired or token mismatch.

        Example:
            >>> q.nack(item["id"], "apply failed", item["leaseToken"])["state"]
            'queued'
        """
        return self._q.nack(item_id, reason, lease_token, self._now(now))  # type: ignore[return-value]

    def stats(self, *, now: Optional[float] = None) -> Dict[str, Any]:
        """Queue statistics (the ``kfix queue stats`` document).

        Args:
            now: clock in seconds.

        Returns:
            ``{"schemaVersion", "states": {...}, "total", "outcomes"}``.

        Raises:
            InvalidArgumentError: the queue is closed.

        Example:
            >>> q.stats()["total"]
            3
        """
        return self._q.stats(self._now(now))  # type: ignore[return-value]

    def close(self) -> None:
        """Closes the database; later calls raise :class:`InvalidArgumentError`. Idempotent.

        Example:
            >>> q.close(); q.closed
            True
        """
        self._q.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return bool(self._q.closed)

    def __enter__(self) -> "Queue":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ---- Receipts and audit log ---------------------------------------------------------


def receipt_sign(payload: Any, seed_hex: str) -> Dict[str, Any]:
    """Signs ``payload`` (its audit-canonical JSON) with the Ed25519 key of a 64-hex-digit seed.

    Args:
        payload: JSON-like Python values.
        seed_hex: the 32-byte seed as 64 hex digits.

    Returns:
        The receipt ``{"alg", "keyId", "payloadSha256", "sig", "v"}``.

    Raises:
        InvalidArgumentError: a bad seed or a payload that is not JSON-like.

    Example:
        >>> kfix.receipt_sign({"a": 1}, "00" * 32)["alg"]
        'ed25519'
    """
    return _core.parse_json(_core.receipt_sign(seed_hex, payload))  # type: ignore[return-value]


def receipt_verify(receipt: Union[Dict[str, Any], str, bytes], payload: Any, public_key_hex: str) -> None:
    """Checks a receipt against a payload and a public key.

    Args:
        receipt: the receipt (dict or JSON text).
        payload: the payload it should sign (key order is irrelevant).
        public_key_hex: the Ed25519 public key as 64 hex digits.

    Raises:
        VerificationError: payload or signature mismatch.
        NotFoundError: another key signed it.
        ParseError: a malformed receipt.
        InvalidArgumentError: a bad key.

    Example:
        >>> kfix.receipt_verify(receipt, {"a": 1}, public_hex)   # returns None when it holds
    """
    text = receipt if isinstance(receipt, (str, bytes)) else _core.to_json(receipt, False, False)
    _core.receipt_verify(text, payload, public_key_hex)


def audit_verify(log: Text, *, public_keys: Optional[List[str]] = None, require_receipts: bool = False,
                 anchor: Optional[tuple] = None) -> AuditVerifyResult:
    """Walks a hash-chained JSONL audit log (its whole text) and reports the first bad line.

    Args:
        log: the log's text.
        public_keys: Ed25519 public keys (hex) receipts may be signed with.
        require_receipts: every line must carry a receipt that verifies.
        anchor: ``(seq, hash)`` kept outside the log (:meth:`AuditLog.state`); detects truncation.

    Returns:
        The :class:`AuditVerifyResult`; a log that does not verify is a result (``intact`` False,
        ``reason``, ``line``), not an exception.

    Raises:
        InvalidArgumentError: a bad key or option.

    Example:
        >>> kfix.audit_verify(open("audit.jsonl").read()).intact
        True
    """
    options: Dict[str, Any] = {"publicKeys": list(public_keys or []), "requireReceipts": require_receipts}
    if anchor is not None:
        options["anchorSeq"], options["anchorHash"] = int(anchor[0]), str(anchor[1])
    return AuditVerifyResult(_core.audit_verify(log, options))


def keygen(secret_path: PathLike, public_path: Optional[PathLike] = None) -> str:
    """Generates an Ed25519 signing key, as ``kfix audit keygen`` does.

    Args:
        secret_path: new file for the seed (created with mode 0600; never overwritten).
        public_path: new file for the public key (mode 0644), optional.

    Returns:
        The public key as 64 hex digits.

    Raises:
        InvalidArgumentError: a file already exists.
        IoError: a file cannot be written.

    Example:
        >>> public_hex = kfix.keygen("audit.key", "audit.pub")
    """
    return _core.keygen(os.fspath(secret_path), os.fspath(public_path) if public_path is not None else "")


class AuditLog:
    """Appends records to a hash-chained JSONL audit log (optionally signed).

    Opening resumes the chain from the last valid line and holds an exclusive lock on the file
    until :meth:`close` (or the end of a ``with`` block). Timestamps come from the system clock.

    Args:
        path: the log file (created with mode 0600).
        key_file: a signing key (from :func:`keygen`): every line then carries a receipt.
        repair_torn_tail: truncate a torn last line (an interrupted append) and record the repair.

    Raises:
        VerificationError: the existing chain is broken.
        ParseError: the file ends in a torn line (without ``repair_torn_tail``).
        IoError: the file cannot be opened, or another writer holds it.
        PermissionDeniedError: the key file is readable by others.

    Example:
        >>> with kfix.AuditLog("audit.jsonl", key_file="audit.key") as log:
        ...     log.append("deploy.approved", {"change": 42})["seq"]
        1
    """

    def __init__(self, path: PathLike, *, key_file: Optional[PathLike] = None, repair_torn_tail: bool = False) -> None:
        self._log = _core.AuditLog(os.fspath(path), os.fspath(key_file) if key_file is not None else "",
                                   bool(repair_torn_tail))

    def append(self, type: str, record: Any) -> Dict[str, Any]:
        """Appends one record.

        Args:
            type: the record type, 1-128 printable ASCII characters (e.g. ``"patch.accepted"``).
            record: JSON-like Python values.

        Returns:
            ``{"seq", "type", "ts", "prev", "hash", "line"}`` of the written line.

        Raises:
            InvalidArgumentError: a bad type, or the log is closed.
            LimitExceededError: the record is too deep or the line too long.
            IoError: the line could not be stored durably.

        Example:
            >>> log.append("fix.applied", {"id": 7})["hash"][:8]
        """
        return self._log.append(type, record)  # type: ignore[no-any-return]

    def state(self) -> tuple:
        """``(last seq, last hash)``: an anchor to keep outside the log for :func:`audit_verify`.

        Raises:
            InvalidArgumentError: the log is closed.

        Example:
            >>> kfix.audit_verify(text, anchor=log.state()).intact
            True
        """
        return tuple(self._log.state())

    def close(self) -> None:
        """Closes the log and releases its lock. Idempotent.

        Example:
            >>> log.close()
        """
        self._log.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return bool(self._log.closed)

    def __enter__(self) -> "AuditLog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# The playbooks (kfix.gvisor, kfix.escape, kfix.actions) use the default engine above.
from . import actions, escape, gvisor  # noqa: E402

__all__ = [
    "__version__",
    "gvisor",
    "escape",
    "actions",
    "version",
    "status_name",
    "parse",
    "load",
    "parse_json",
    "expand_paths",
    "to_json",
    "to_yaml",
    "apply_patch",
    "diff",
    "Manifest",
    "LoadResult",
    "Engine",
    "scan",
    "scan_paths",
    "scan_many",
    "ObjectRef",
    "Finding",
    "ScanReport",
    "FileScanPart",
    "FileFixPart",
    "PartStream",
    "Check",
    "fix",
    "fix_paths",
    "propose",
    "verify_patch",
    "FixResult",
    "FixOutcome",
    "RenderedFile",
    "WriteBackResult",
    "Verdict",
    "Gate",
    "risk_score",
    "schedule",
    "Schedule",
    "RankedItem",
    "RiskReport",
    "ScoredFinding",
    "RiskTerm",
    "run",
    "run_paths",
    "RunResult",
    "RunSummary",
    "ScheduledFix",
    "Queue",
    "receipt_sign",
    "receipt_verify",
    "audit_verify",
    "keygen",
    "AuditLog",
    "AuditVerifyResult",
    "Error",
    "InvalidArgumentError",
    "ParseError",
    "NotFoundError",
    "PatchError",
    "TestFailedError",
    "LimitExceededError",
    "UnsupportedError",
    "InternalError",
    "IoError",
    "PermissionDeniedError",
    "VerificationError",
    "OutOfMemoryError",
]
