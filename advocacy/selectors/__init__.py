"""Every read of advocacy casework, scoped by the compartment's one rule.

``episodes_visible_to`` starts every query: the episodes held by the member's advocacy
agency (accounts.access.advocacy_agency_id), nothing for anyone else; the referral queue
starts from ``referrals_visible_to`` by the same rule. Contacts, needs, allocations, safety
plans and target hardening are only ever read for an episode found through it. What the
rest of the partnership may know (that a victim has support or a referral, and its status)
comes from ``support_on_case``, which carries nothing of the compartment."""
