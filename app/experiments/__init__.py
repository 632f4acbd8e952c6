"""Experiments: sweeps of settings x seeds, queued as runs that any worker claims.

``launch.launch_experiment`` validates a request (``request``, ``space``) and records the
experiment with its first trials' runs (``trials``); TPE and pruning go through an Optuna
study beside the store (``study``); a worker reports to the pruner at each checkpoint
(``pruning``) and moves the experiment on once a run has ended (``hooks``, ``progress``),
scoring runs by their objective from the store (``scoring``). Import the modules you use:
this package imports nothing, so a worker that trains no experiment loads no Optuna.
"""
