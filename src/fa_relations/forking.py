"""Fork safety for processes that have run torch.

A process that has run a torch operation on several threads holds an OpenMP
thread team. A child made with ``fork`` (spaCy's ``nlp.pipe(n_process=...)``
on Linux, or a user's own ``multiprocessing.Pool``) inherits that team's state
but not its threads, and its first parallel torch operation then waits forever
(in libgomp's ``gomp_team_barrier_wait_end``). Limiting torch to one thread in
the child avoids the parallel region altogether, which is also what a worker
among several should do on a machine whose cores the other workers use.

:func:`install` registers that limit once per process; importing
:mod:`fa_relations.pipeline` installs it. It never imports torch: a child of a
process that has not imported torch has nothing to limit.
"""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)

#: Threads torch may use in a forked child (see the module docstring).
CHILD_TORCH_THREADS = 1

_installed = False


def limit_torch_threads_in_child() -> None:
    """Set torch's intra-op threads to :data:`CHILD_TORCH_THREADS` if torch is loaded (after ``fork``)."""
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "set_num_threads"):
        torch.set_num_threads(CHILD_TORCH_THREADS)


def install() -> None:
    """Register :func:`limit_torch_threads_in_child` to run in every child forked from now on (idempotent)."""
    global _installed
    if _installed or not hasattr(os, "register_at_fork"):
        return
    os.register_at_fork(after_in_child=limit_torch_threads_in_child)
    _installed = True
    logger.debug("forked children will run torch on %d thread", CHILD_TORCH_THREADS)
