"""Scan on a ``dask.distributed`` cluster: one task per chunk of files, merged in file order.

Each worker process builds one :class:`kfix.Engine` per configuration and keeps it (engines are
immutable and thread-safe). Files are expanded once on the client with :func:`kfix.expand_paths`,
the same sorted expansion a local scan uses, so the merged report equals a single-process scan of
the same paths whenever every file is its own lint context (``{"scan": {"context": "per-file"}}``,
the default here). dask is imported only by the caller; this module needs nothing but ``kfix``.

Example:
    >>> from dask.distributed import Client
    >>> import kfix.dask
    >>> client = Client("tcp://scheduler:8786")
    >>> report = kfix.dask.scan_paths(client, ["/data/manifests"], chunk_size=64)
    >>> report.to_pandas().groupby("check").size()
"""

from __future__ import annotations

import threading
import typing
from typing import Any, Dict, List, Optional

from . import Engine, ScanReport, expand_paths, to_json
from . import PathLike

__all__ = ["PER_FILE", "scan_chunk", "chunked", "scan_paths"]

#: The default configuration: every file is its own lint context, so chunked scans are exact.
PER_FILE: Dict[str, Any] = {"scan": {"context": "per-file"}}

_engines: Dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(config: Dict[str, Any]) -> Engine:
    key = to_json(config, canonical=True)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = Engine(config)
        return engine


def scan_chunk(files: List[str], config: Dict[str, Any]) -> ScanReport:
    """The task: scans one chunk of files with the worker's engine for ``config``.

    Args:
        files: files (not directories) in scan order.
        config: the engine configuration (a dict; the same for every task of a scan).

    Returns:
        The chunk's :class:`kfix.ScanReport` (picklable).

    Raises:
        kfix.NotFoundError: a file no longer exists.

    Example:
        >>> kfix.dask.scan_chunk(["a.yaml", "b.yaml"], kfix.dask.PER_FILE)
        ScanReport(3 findings, 0 errors)
    """
    return _engine(config).scan_paths(*files)


def chunked(items: "typing.Sequence[str]", size: int) -> List[List[str]]:
    """Contiguous slices of ``items`` of at most ``size`` elements.

    Args:
        items: the sorted file list.
        size: chunk size (>= 1).

    Returns:
        The chunks, in order.

    Raises:
        ValueError: ``size`` < 1.

    Example:
        >>> kfix.dask.chunked(["a", "b", "c"], 2)
        [['a', 'b'], ['c']]
    """
    if size < 1:
        raise ValueError("chunk size must be >= 1")
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def scan_paths(client: Any, paths: "typing.Sequence[PathLike]", *, chunk_size: int = 64,
               config: Optional[Dict[str, Any]] = None) -> ScanReport:
    """Scans ``paths`` on the cluster behind ``client``, one task per chunk of files.

    Args:
        client: a ``dask.distributed.Client``.
        paths: files and directories (expanded on the client, sorted).
        chunk_size: files per task.
        config: engine configuration; default :data:`PER_FILE`. With ``scan.context: all``
            cross-object checks only see objects of the same chunk.

    Returns:
        The merged :class:`kfix.ScanReport` (``stats.seconds`` dropped).

    Raises:
        kfix.NotFoundError: a path does not exist.
        ValueError: ``chunk_size`` < 1.

    Example:
        >>> report = kfix.dask.scan_paths(client, ["deploy/"], chunk_size=16)
        >>> len(report.findings)
        42
    """
    config = dict(PER_FILE if config is None else config)
    files = expand_paths(*paths)
    futures = client.map(scan_chunk, chunked(files, chunk_size), config=config, pure=False)
    return ScanReport.merge(client.gather(futures))  # gather keeps submission order: file order
