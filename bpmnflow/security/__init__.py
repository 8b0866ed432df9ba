"""Security: who is calling (OIDC bearer tokens, HTTP Basic) and what they may do.

The rules live in one table (:mod:`bpmnflow.security.policy`); :class:`SecurityMiddleware`
applies them before any handler runs.  See the README's "Security" section.
"""

from bpmnflow.security.bootstrap import ensure_admin, load_grants
from bpmnflow.security.middleware import SecurityMiddleware
from bpmnflow.security.passwords import hash_password
from bpmnflow.security.policy import RULES, Rule, rule_for
from bpmnflow.security.principal import Principal, current

__all__ = ["RULES", "Principal", "Rule", "SecurityMiddleware", "current", "ensure_admin",
           "hash_password", "load_grants", "rule_for"]
