"""A second pair of eyes: a campaign above APPROVAL_MIN_RECIPIENTS or APPROVAL_MIN_COST waits for
another member's approval (an admin, or any operator but its author when APPROVERS=operator)
before anything of it reaches the platform.

`service` decides and writes (each decision with its audit record in one transaction) and holds
the submission gate that sending asks before a campaign leaves; `cards` says how it reads.
"""
