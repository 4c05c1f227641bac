"""What the demo is made of: the team, company and holder names, places, carriers,
limits, instructions, notes, rejection reasons, and how often each kind of request occurs."""

from __future__ import annotations

from datetime import timedelta

from certdesk_tui.domain import (
    ActivityKind,
    Brand,
    Role,
    Status,
)

DEMO_MARKER = ActivityKind.DEMO_BUILT
"""The activity that marks a database as a demo: only such a database is ever wiped."""

MAIL_DOMAIN = "certdesk.invalid"
MAIL_SERVER = "mail.certdesk.invalid:587"
DUPLICATE_WINDOW = timedelta(days=30)
HISTORY = timedelta(days=21)
# Policies renewed ahead: of the active customers whose policy ends within this many days
# (the default renewal window, 60 days, and a month beyond), this share have their next
# term on record already, so their certificates are due for renewal: most renewable
# now, some from a later date.
RENEWED_AHEAD = timedelta(days=90)
RENEWED_SHARE = 0.75

STATUS_WEIGHTS = ((Status.NEW, 55), (Status.IN_PROGRESS, 20), (Status.COMPLETED, 15),
                  (Status.REJECTED, 10))
AUTO_SHARE = 0.45  # of the completed requests: processed automatically at intake

# -- the team -----------------------------------------------------------------

TEAM = (
    ("maria.santos", "Maria Santos", Role.CERTIFICATE_SPECIALIST),
    ("james.okafor", "James Okafor", Role.CERTIFICATE_SPECIALIST),
    ("hannah.kowalczyk", "Hannah Kowalczyk", Role.CERTIFICATE_SPECIALIST),
    ("priya.raman", "Priya Raman", Role.DATA_PROCESSOR),
    ("tom.becker", "Tom Becker", Role.PAYROLL_ADVISOR),
    ("lucia.ferreira", "Lúcia Ferreira", Role.PAYROLL_ADVISOR),
)
TEAM_DOMAIN = "certdesk.example"

# -- word lists -----------------------------------------------------------------

COMPANY_FIRST = (
    "Harbor", "Summit", "Blue Ridge", "Cypress", "Granite", "Lakeside", "Pioneer", "Redwood",
    "Silver Creek", "Oak Hollow", "Prairie", "Coastal", "Evergreen", "Ironwood", "Keystone",
    "Liberty", "Magnolia", "Northstar", "Palmetto", "Riverbend", "Sandstone", "Timberline",
    "Willow", "Bayside", "Canyon", "Eagle", "Falcon", "Heritage", "Juniper", "Lighthouse",
    "Maple Leaf", "Osprey", "Pinecrest", "Quarry", "Sawgrass", "Tidewater", "Union Street",
    "Vista", "Westfield", "Yellowstone", "Alvarez", "Brennan", "Chen", "Dubois", "Erikson",
    "Fitzgerald", "Garcia", "Hoffman", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreno",
    "Nakamura", "O'Brien", "Patel", "Quinn", "Rossi", "Schmidt", "Takahashi", "Underwood",
    "Vasquez", "Whitaker", "Yilmaz", "Zimmerman", "Acorn", "Beacon", "Copperline", "Driftwood",
    "Foxglove", "Gulf Coast", "High Plains", "Ironbridge", "Lone Pine", "Mesa", "Old Mill",
)
COMPANY_TRADE = (
    "Roofing", "Plumbing", "Electric", "Landscaping", "Dental Group", "Staffing", "Auto Repair",
    "Painting", "HVAC Services", "Concrete", "Masonry", "Janitorial", "Logistics", "Trucking",
    "Bakery", "Catering", "Home Health", "Pet Grooming", "Security Services", "Tree Care",
    "Pool Service", "Flooring", "Drywall", "Carpentry", "Cabinetry", "Excavation", "Paving",
    "Fencing", "Glass & Glazing", "Welding", "Machine Shop", "Print Shop", "Florist",
    "Veterinary Clinic", "Physical Therapy", "Childcare Center", "Moving & Storage", "Courier",
    "Signs & Graphics", "Solar", "Insulation", "Pest Control", "Irrigation", "Demolition",
    "Tile & Stone", "Restoration", "Property Services", "Event Rentals", "Brewing",
    "Medical Billing",
)
COMPANY_SUFFIX = ("LLC", "LLC", "LLC", "Inc", "Inc", "Co.", "Corp", "Group LLC", "& Sons",
                  "Partners LLC")

# Shown literally everywhere; the compact PDF writer encodes all but "Yılmaz" (the
# dotless i), whose certificates therefore always come from the real generator.
SPECIAL_CUSTOMERS = (
    ("Zoë Łukasiewicz – Ñandú GmbH", Brand.COMPEO),
    ("[bold]Bracket[/] & Sons", Brand.PEOPAYGO),
    ("Café Müller Bäckerei & Konditorei", Brand.PEOPAYGO),
    ("Søren Ødegård Tømrer ApS", Brand.CORNERSTONE),
    ("José Peña Landscaping LLC", Brand.COMPEO),
    ("Dvořák & Šťastný Stavby s.r.o.", Brand.COMPEO),
    ("Yılmaz Döner & Grill LLC", Brand.PEOPAYGO),
    ("<b>Angle</b> Brackets & Co", Brand.CORNERSTONE),
)

# The customers right after the special names: what a small demo must show too.
FIRST_PROFILES = ("no_email", "inactive", "lapsed", "lapsing", "cornerstone")

CODE_PREFIX = {Brand.COMPEO: "CMP", Brand.PEOPAYGO: "PPG", Brand.CORNERSTONE: "CS"}
BRAND_WEIGHTS = ((Brand.COMPEO, 45), (Brand.PEOPAYGO, 35), (Brand.CORNERSTONE, 20))

CITIES = (
    ("Tampa", "FL", "336"), ("Miami", "FL", "331"), ("Orlando", "FL", "328"),
    ("Jacksonville", "FL", "322"), ("Atlanta", "GA", "303"), ("Charlotte", "NC", "282"),
    ("Nashville", "TN", "372"), ("Dallas", "TX", "752"), ("Houston", "TX", "770"),
    ("Austin", "TX", "787"), ("Phoenix", "AZ", "850"), ("Denver", "CO", "802"),
    ("Chicago", "IL", "606"), ("Columbus", "OH", "432"), ("Indianapolis", "IN", "462"),
    ("Boston", "MA", "021"), ("Providence", "RI", "029"), ("Hartford", "CT", "061"),
    ("Newark", "NJ", "071"), ("Philadelphia", "PA", "191"), ("Pittsburgh", "PA", "152"),
    ("Baltimore", "MD", "212"), ("Richmond", "VA", "232"), ("Raleigh", "NC", "276"),
    ("Birmingham", "AL", "352"), ("New Orleans", "LA", "701"), ("Kansas City", "MO", "641"),
    ("Omaha", "NE", "681"), ("Minneapolis", "MN", "554"), ("Milwaukee", "WI", "532"),
    ("Detroit", "MI", "482"), ("Louisville", "KY", "402"), ("Salt Lake City", "UT", "841"),
    ("Las Vegas", "NV", "891"), ("San Diego", "CA", "921"), ("Sacramento", "CA", "958"),
    ("Portland", "OR", "972"), ("Boise", "ID", "837"), ("Albuquerque", "NM", "871"),
    ("Oklahoma City", "OK", "731"),
)
STREETS = (
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park",
    "Harbor", "Bay", "Commerce", "Industrial", "Market", "Church", "Mill", "River", "Spring",
    "Union", "Franklin", "Jefferson", "Lincoln", "Madison", "Sunset", "Highland", "Airport",
    "Railroad", "Center", "Meadow",
)
STREET_KINDS = ("St", "Ave", "Blvd", "Rd", "Dr", "Way", "Ln", "Pkwy", "Ct")

HOLDER_NAMES = (
    "Brennan", "Turnstone", "Whitfield", "Castellano", "Hargrove", "Delacroix", "Okonkwo",
    "Lindgren", "Marchetti", "Pemberton", "Sterling", "Rutherford", "Vanderberg", "Ashby",
    "Calloway", "Donnelly", "Everhart", "Gallagher", "Holloway", "Kincaid", "Montague",
    "Prescott", "Radcliffe", "Stanhope", "Thornton", "Wexford", "Abernathy", "Blackwood",
    "Crestview", "Fairmont", "Glenwood", "Kingsbridge", "Northgate", "Parkside", "Southpoint",
)
HOLDER_KINDS = (
    "Construction", "Builders", "General Contractors", "Development Group",
    "Property Management", "Realty Partners", "Facilities Services",
    "Construction Management", "Properties", "Commercial Interiors", "Hospitality Group",
    "Retail Centers",
)
HOLDER_SUFFIX = ("Inc", "LLC", "Co", "Corp", "LP")
HOLDER_INSTITUTIONS = (
    "City of {city}", "{city} Unified School District", "{city} Housing Authority",
    "{name} Memorial Hospital", "{city} Convention Center Authority", "County of {name}",
    "{name} University", "{city} Transit Authority",
)
HOLDER_MAILBOXES = ("certs", "coi", "compliance", "insurance", "riskmanagement", "vendors")
CUSTOMER_MAILBOXES = ("office", "admin", "owner", "payroll", "hr", "info", "certificates")

CARRIERS = (
    ("Summit Mutual Casualty Company", "14236", "SMC"),
    ("Granite Shield Insurance Co", "23871", "GSI"),
    ("Lakeshore Workers Indemnity", "31508", "LWI"),
    ("Pinnacle Employers Assurance", "40963", "PEA"),
    ("Blue Heron Casualty Company", "27714", "BHC"),
    ("Meridian Fidelity Insurance Co", "12589", "MFI"),
    ("Keystone Trade Mutual", "35642", "KTM"),
    ("Northwind Casualty & Surety", "19473", "NCS"),
)
LIMITS = (
    (500_000, 500_000, 500_000), (1_000_000, 1_000_000, 1_000_000),
    (500_000, 500_000, 1_000_000), (1_000_000, 1_000_000, 2_000_000),
    (100_000, 100_000, 500_000),
)

PROJECTS = ("Harbor Tower", "Riverside Commons", "Westgate Medical Plaza", "Lakeview Lofts",
            "Northside Elementary renovation", "Airport Terminal C", "Maple Ridge Apartments",
            "Union Station retrofit", "Cedar Point Distribution Center", "Sunset Mall phase 2")

# Customer instructions, by what a specialist does with them.
INSTRUCTIONS_BENIGN = (
    "Please list the project {project} in the description of operations.",
    "Need this today for a bid opening, thank you!",
    "Please add job #{job} to the description.",
    "The contract asks for 30 days notice of cancellation to the holder.",
    "Please email the certificate to our project manager as well: pm@{slug}.example",
    "Holder must read exactly: {holder}, its officers, agents and employees.",
    "Bitte schnell – der Auftraggeber wartet (Baustelle {project}).",
    "[red]URGENT[/red] – site access is blocked until the GC has this.",
)
INSTRUCTIONS_REJECT = {
    "needs_wos": "Our contract requires a waiver of subrogation in favor of the holder.",
    "license": "Please show our contractor license number LIC-{job} on the certificate.",
    "verbiage": "Certificate must state that coverage is primary and non-contributory.",
    "additional_insured": "Please name {holder} as additional insured.",
    "test": "PMS test – please ignore (IT)",
}

# Internal notes: general ones, and ones that fit what the request is about.
NOTES_GENERAL = (
    "Left a voicemail; will try again after lunch.",
    "Description wording checked against the contract excerpt the customer sent.",
    "Customer asked for the certificate to go to the GC directly.",
    "Checked the carrier portal: the policy is in force.",
)
NOTES_ABOUT = {
    "holder": ("Called the customer – waiting for the holder's full name and address.",
               "Holder details confirmed by phone with the customer's office manager."),
    "email": ("Asked the customer for the holder's correct email address.",),
    "duplicate": ("Possible duplicate – asked the customer whether they need a second copy.",),
    "wos": ("Billing shows the WOS fee as paid.",
            "Emailed the broker for the endorsement; carrier turnaround is 2-3 business days."),
    "cornerstone": ("Waiting on the carrier's certificate for this Cornerstone client.",
                    "Requested the certificate from the carrier's service desk."),
    "policy": ("No policy in force on the request date – checked with the payroll advisor.",),
    "inactive": ("Customer shows as inactive; asked the payroll advisor before rejecting.",),
    "instructions": ("Instructions reviewed; wording needs carrier approval.",
                     "Project details from the instructions added to the description."),
}

# What a request the intake would have completed at once gets instead (a weighted list).
FALLBACK_PENDING = (("benign",) * 9 + ("address_incomplete",) * 4 + ("invalid_email",) * 2
                    + ("name_incomplete", "address_missing", "name_missing", "no_email"))
FALLBACK_COMPLETED = ("benign",) * 3 + ("address_incomplete", "invalid_email")

# Rejection reasons a manager added to the seven defaults (the last one later retired).
EXTRA_REASONS = (
    "No workers' compensation policy in force on the request date",
    "Customer account inactive – please contact your payroll advisor",
    "Holder requires additional insured status – not available on workers' compensation",
)
R_DUPLICATE, R_NEEDS_WOS, R_LICENSE, R_VERBIAGE, R_TEST, R_ADDRESS, R_HOLDER_NAME = range(7)
R_NO_POLICY, R_INACTIVE, R_ADDITIONAL_INSURED = 7, 8, 9

# What a rejected request was wrong about, with how often.
REJECT_SCENARIOS = (
    ("duplicate", 22), ("holder_name", 14), ("address", 16), ("needs_wos", 12),
    ("license", 6), ("verbiage", 8), ("test", 4), ("no_policy", 6), ("inactive", 6),
    ("additional_insured", 6),
)
