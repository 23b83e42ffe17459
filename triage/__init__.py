"""Multi-agency triage clinics: meetings, agendas, case discussions (CAS), actions and
minutes. Arrives with the clinics and risk issue; nothing is stubbed here before then."""
