"""bpmnflow's benchmark: ``python -m bench`` from the repository root (see ``bench/README.md``).

Throughput is measured as medians over repetitions; SQL statements and commits per instance are
counted too, because they do not depend on the machine and show the cost of a change first.
"""
