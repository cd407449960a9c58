"""The plans the bundled sample clients agreed (their ``plan.yaml``), as ``cxassess plan init`` drafts them, edited.

Harbour Line Hotels agreed its plan after the April 2026 wave (``wave: 2026-04``); the October
2026 wave then shows it against what happened: employee experience, the first priority, reached
its target, while goals and measurement fell back despite the work in progress.
"""

from __future__ import annotations

HARBOUR_HOTELS_PLAN = """\
# The action plan of Harbour Line Hotels, starting from the assessment of 22 April 2026 (wave 2026-04).
# Drafted by cxassess from that analysis, then agreed with the general managers in May 2026.
# Fictional sample client: any resemblance is chance.

# wave:     the assessment this plan starts from. A later wave shows the plan against what happened.
# phases:   each with n (1, 2, ...), a name and the date it ends (YYYY-MM-DD).
# targets:  pillar id -> {phase number: target index 0-100}. A target holds from its phase until a later
#           phase names another, and may never go down. A pillar left out stays where it is.
# actions:  one per agreed action: the pillar, its class (do_differently, start, keep, stop), the action in plain
#           words, the owner (required once it is in progress), the due date, the phase and the status
#           (planned, in progress, done, dropped). Add notes: for anything else.
wave: 2026-04

phases:
  - n: 1
    name: Quick wins
    end: 2026-06-30
  - n: 2
    name: Build
    end: 2026-09-30
  - n: 3
    name: Embed
    end: 2027-03-31

targets:
  employee_experience: {1: 70}          # Employee experience & internal customers: 56 at 2026-04
  improvement: {1: 62, 2: 65}           # Continuous improvement & communicating the strategy: 60 at 2026-04
  goals: {2: 60, 3: 70}                 # Goals & measurement: 53 at 2026-04
  accountability: {2: 55, 3: 65}        # Employee accountability: 49 at 2026-04
  recognition: {3: 65}                  # Recognition & rewards: 55 at 2026-04

actions:
  - pillar: employee_experience         # Employee experience & internal customers
    class: do_differently
    action: Give every front-desk and housekeeping team the tools and guest information they need, starting with a shared shift handover.
    owner: Head of Operations
    due: 2026-06-30
    phase: 1
    status: done
  - pillar: improvement                 # Continuous improvement & communicating the strategy
    class: do_differently
    action: Hold a quarterly keep-start-change-stop review of service practices in each hotel and share the outcome with all staff.
    owner: Quality Manager
    due: 2026-09-30
    phase: 2
    status: done
  - pillar: goals                       # Goals & measurement
    class: do_differently
    action: Put the guest satisfaction goal on every team board and in each manager's annual objectives.
    owner: Revenue & Guest Experience Director
    due: 2026-09-30
    phase: 2
    status: in progress
    notes: Delayed by the revenue programme launched in the summer.
  - pillar: accountability              # Employee accountability
    class: do_differently
    action: Make owning a guest's issue until it is resolved part of every role description and of the monthly team review.
    owner: HR Business Partner
    due: 2027-01-31
    phase: 3
    status: planned
  - pillar: recognition                 # Recognition & rewards
    class: do_differently
    action: Redesign the recognition scheme so that it rewards service, not only sales.
    owner: ''
    due: 2027-03-31
    phase: 3
    status: dropped
    notes: Postponed to next year's budget.
  - pillar: recovery                    # Service recovery
    class: stop
    action: Reduce the effort on the complaint logbook that staff do not see as a priority; keep the guest follow-up call.
    owner: General Managers
    due: 2026-06-30
    phase: 1
    status: done
"""
