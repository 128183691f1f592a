"""The synthetic corpus's vocabulary: provinces, names, bodies, documents, indicators, terms."""

from __future__ import annotations

from datetime import date

from orgkg.namespaces import OKG

PROVINCES = (
    "An Giang",
    "Ba Ria - Vung Tau",
    "Bac Giang",
    "Bac Kan",
    "Bac Lieu",
    "Bac Ninh",
    "Ben Tre",
    "Binh Dinh",
    "Binh Duong",
    "Binh Phuoc",
    "Binh Thuan",
    "Ca Mau",
    "Can Tho",
    "Cao Bang",
    "Da Nang",
    "Dak Lak",
    "Dak Nong",
    "Dien Bien",
    "Dong Nai",
    "Dong Thap",
    "Gia Lai",
    "Ha Giang",
    "Ha Nam",
    "Ha Noi",
    "Ha Tinh",
    "Hai Duong",
    "Hai Phong",
    "Hau Giang",
    "Ho Chi Minh City",
    "Hoa Binh",
    "Hung Yen",
    "Khanh Hoa",
    "Kien Giang",
    "Kon Tum",
    "Lai Chau",
    "Lam Dong",
    "Lang Son",
    "Lao Cai",
    "Long An",
    "Nam Dinh",
    "Nghe An",
    "Ninh Binh",
    "Ninh Thuan",
    "Phu Tho",
    "Phu Yen",
    "Quang Binh",
    "Quang Nam",
    "Quang Ngai",
    "Quang Ninh",
    "Quang Tri",
    "Soc Trang",
    "Son La",
    "Tay Ninh",
    "Thai Binh",
    "Thai Nguyen",
    "Thanh Hoa",
    "Thua Thien Hue",
    "Tien Giang",
    "Tra Vinh",
    "Tuyen Quang",
    "Vinh Long",
    "Vinh Phuc",
    "Yen Bai",
)
SYLLABLES = (
    "An",
    "Bao",
    "Binh",
    "Cam",
    "Chau",
    "Dong",
    "Duc",
    "Ha",
    "Hai",
    "Hoa",
    "Hong",
    "Hung",
    "Kim",
    "Lac",
    "Lam",
    "Long",
    "Minh",
    "My",
    "Nam",
    "Nghia",
    "Ngoc",
    "Phu",
    "Phuoc",
    "Quang",
    "Son",
    "Tan",
    "Thach",
    "Thanh",
    "Thuan",
    "Tien",
    "Trung",
    "Tuy",
    "Van",
    "Vinh",
    "Xuan",
    "Yen",
)
FAMILY = ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Vo", "Dang", "Bui", "Do", "Ho", "Ngo", "Duong", "Ly")
MIDDLE = ("Van", "Thi", "Duc", "Minh", "Hong", "Quoc", "Thanh", "Ngoc", "Xuan", "Huu")
GIVEN = (
    "An",
    "Binh",
    "Cuong",
    "Dung",
    "Giang",
    "Ha",
    "Hai",
    "Hung",
    "Khanh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Quang",
    "Son",
    "Thao",
    "Trung",
    "Tuan",
    "Yen",
    "Hoa",
    "Linh",
    "Tam",
    "Vinh",
)

#: Provincial bodies every province has: (key, class, label pattern).
PROVINCIAL_BODIES = (
    ("provincial-party-committee", OKG.ProvincialPartyCommittee, "{p} Provincial Party Committee"),
    (
        "provincial-party-standing-committee",
        OKG.StandingCommittee,
        "Standing Committee of the {p} Provincial Party Committee",
    ),
    (
        "provincial-party-organizing-committee",
        OKG.OrganizingCommittee,
        "Organizing Committee of the {p} Provincial Party Committee",
    ),
    (
        "provincial-party-propaganda-and-education-committee",
        OKG.PartyAdvisoryBoard,
        "Propaganda and Education Committee of the {p} Provincial Party Committee",
    ),
    (
        "provincial-party-mass-mobilization-committee",
        OKG.PartyAdvisoryBoard,
        "Mass Mobilization Committee of the {p} Provincial Party Committee",
    ),
    ("provincial-peoples-committee", OKG.PeoplesCommittee, "{p} Provincial People's Committee"),
    ("newspaper", OKG.Newspaper, "{p} Newspaper"),
    ("radio-and-television-station", OKG.RadioTelevisionStation, "{p} Radio and Television Station"),
    ("fatherland-front", OKG.FatherlandFront, "Fatherland Front of {p} province"),
)
#: Pairs of provincial bodies that merge: (original, original, result key, result label pattern).
MERGERS = (
    ("newspaper", "radio-and-television-station", "media-centre", "{p} Newspaper and Radio-Television"),
    (
        "provincial-party-propaganda-and-education-committee",
        "provincial-party-mass-mobilization-committee",
        "provincial-party-propaganda-and-mass-mobilization-committee",
        "Propaganda and Mass Mobilization Committee of the {p} Provincial Party Committee",
    ),
)
#: Indicators: (slug, label, unit, verb phrase, noun phrase).
INDICATORS = (
    ("new-party-members-admitted", "New Party members admitted", OKG.Persons, "admitted", "new Party members"),
    ("party-members", "Party members", OKG.Persons, "had", "Party members"),
    (
        "grassroots-party-organizations",
        "Grassroots Party organizations",
        OKG.Organizations,
        "had",
        "grassroots Party organizations",
    ),
    ("cadres-in-planning", "Cadres included in cadre planning", OKG.Cadres, "included", "cadres in the planning"),
    ("cadres-sent-for-training", "Cadres sent for training and development", OKG.Cadres, "sent", "cadres for training"),
    (
        "hamlets-with-party-cells",
        "Share of hamlets and residential groups with Party cells",
        OKG.Percent,
        "reached",
        "percent of hamlets and residential groups with Party cells",
    ),
)
COMPARATORS = ((OKG.Exactly, ""), (OKG.MoreThan, "more than "), (OKG.About, "about "), (OKG.AtLeast, "at least "))
CENTRAL = (
    ("communist-party-of-vietnam", OKG.CommunistParty, "Communist Party of Vietnam"),
    ("central-committee", OKG.CentralPartyBody, "Central Committee"),
    ("politburo", OKG.CentralPartyBody, "Politburo"),
    ("secretariat", OKG.CentralPartyBody, "Secretariat"),
    ("central-organizing-committee", OKG.OrganizingCommittee, "Central Organizing Committee"),
    (
        "ministry-of-organization-and-communications",
        OKG.PartyAdvisoryBoard,
        "Ministry of Organization and Communications",
    ),
)
#: Central documents: (number, type key, concept, English type, date or None).
CENTRAL_DOCUMENTS = (
    ("18", "NQ", OKG.Resolution, "Resolution", None),
    ("19", "NQ", OKG.Resolution, "Resolution", None),
    ("21", "NQ", OKG.Resolution, "Resolution", None),
    ("35", "CT", OKG.Directive, "Directive", None),
    ("48", "KL", OKG.Conclusion, "Conclusion", date(2023, 1, 30)),
)
PROVINCIAL_TYPES = (
    ("NQ", OKG.Resolution, "Resolution"),
    ("CT", OKG.Directive, "Directive"),
    ("QĐ", OKG.DecisionDocument, "Decision"),
)
CHANGE_EVENTS = (OKG.Merger, OKG.Establishment, OKG.Dissolution, OKG.Renaming)
TERMS = ((2010, 2015), (2015, 2020), (2020, 2025), (2025, 2030))
FIRST_DAY, DAYS = date(2011, 1, 1), 5000
