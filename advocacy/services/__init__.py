"""Every write of advocacy casework: keyword-only, one transaction each, with its audit row.

Rules enforced here (views and API only translate them):
- only advocates and managers of the agency that holds an episode change it
  (accounts.access.advocacy_agency_id); support starts only for a victim on a case that
  agency can see;
- dates that cannot be true are refused at the field (``episode_errors``, ``contact_errors``:
  the forms ask the same functions, so every problem shows in one pass);
- a "made" contact fills in the first contact made (and any contact the first attempt)
  when it is earlier than what is recorded;
- closing needs a date, a coded reason and an outcome for every need; a closed episode
  takes no more contacts or changes;
- the referral queue: the crime screen and the clinic refer victims into the advocacy
  agency's queue, once; accepting starts the episode, declining takes a coded reason (the
  decisions are written out above ``referral_agency``);
- a safety plan is never edited: each save is a new version with its own items and order
  links (orders on the episode's case only), the previous one marked superseded;
- a target-hardening measure's dates cannot be false: none in the future, provided or
  declined not before requested, never both provided and declined.
Audit rows name the episode and the case, never a contact summary, a need or plan text."""
