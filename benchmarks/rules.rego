# The three canonical rules, written the way an OPA user would write them.
package aimo

import rego.v1

tier_rank := {"light": 0, "standard": 1, "heavy": 2}

required := {"low": "light", "medium": "standard", "high": "heavy", "critical": "heavy"}

escalated := {"medium", "high", "critical"}

violations contains "data-boundary-allowed" if {
	some item in input.inputs
	item.classification
	not item.classification in object.get(input, ["data_boundary", "allowed"], [])
}

violations contains "tier-matches-consequence" if not input.consequence

violations contains "tier-matches-consequence" if {
	input.consequence
	not input.review_tier
}

violations contains "tier-matches-consequence" if {
	tier_rank[input.review_tier] < tier_rank[required[input.consequence]]
}

violations contains "escalation-path-present" if {
	input.consequence in escalated
	count(object.get(input, ["escalation", "contacts"], [])) == 0
}

violations contains "escalation-path-present" if {
	input.consequence in escalated
	count(object.get(input, ["escalation", "steps"], [])) == 0
}
