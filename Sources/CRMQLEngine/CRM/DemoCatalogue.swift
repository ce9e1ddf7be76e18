import CRMQLCore

/// The fixed vocabulary of the demo data: a fictional electronics retailer's
/// regions, industries, sales people and product catalogue, and the names
/// its customers go by.
///
/// Low-cardinality text columns are enums whose symbols read in text order,
/// because that is what `load` infers for such a column: the demo and a
/// loaded CSV of the same data then behave alike. Tables are therefore kept
/// in ascending text order, and weights line up with them.
enum DemoCatalogue {
    // MARK: Customers

    static let regions = ["central", "east", "north", "overseas", "south", "west"]
    static let regionWeights: [Double] = [0.12, 0.22, 0.24, 0.06, 0.20, 0.16]

    static let industries = [
        "education", "finance", "government", "health", "hospitality", "manufacturing", "retail", "tech",
    ]
    static let industryWeights: [Double] = [0.08, 0.14, 0.06, 0.12, 0.10, 0.14, 0.22, 0.14]

    static let kinds = ["individual", "business"]
    static let stages = ["prospect", "growth", "mature", "decline", "churned"]
    static let stageWeights: [Double] = [0.15, 0.25, 0.30, 0.18, 0.12]
    static let tiers = ["bronze", "silver", "gold", "platinum"]

    /// Account owners: forty sales representatives.
    static let owners = (1...40).map { "rep" + twoDigits($0) }

    // MARK: Orders

    /// One catalogue entry. `popularity` weighs how often it opens a basket.
    struct Product {
        var name: String
        var category: String
        var price: Double
        var popularity: Double
    }

    /// Sorted by name, so a product's position is its enum code.
    static let products: [Product] = [
        Product(name: "antivirus", category: "software", price: 49, popularity: 3),
        Product(name: "charger", category: "accessories", price: 29, popularity: 5),
        Product(name: "cloud backup", category: "software", price: 60, popularity: 2),
        Product(name: "earbuds", category: "accessories", price: 129, popularity: 5),
        Product(name: "extended warranty", category: "services", price: 149, popularity: 1.5),
        Product(name: "fitness band", category: "wearables", price: 99, popularity: 3),
        Product(name: "keyboard", category: "peripherals", price: 79, popularity: 3),
        Product(name: "laptop 13", category: "laptops", price: 1099, popularity: 5),
        Product(name: "laptop 15", category: "laptops", price: 1399, popularity: 4),
        Product(name: "laptop bag", category: "peripherals", price: 59, popularity: 1.5),
        Product(name: "laptop workstation", category: "laptops", price: 2499, popularity: 1.5),
        Product(name: "monitor 27", category: "peripherals", price: 329, popularity: 3),
        Product(name: "mouse", category: "peripherals", price: 35, popularity: 4),
        Product(name: "office suite", category: "software", price: 99, popularity: 3),
        Product(name: "phone basic", category: "phones", price: 299, popularity: 6),
        Product(name: "phone case", category: "accessories", price: 25, popularity: 4),
        Product(name: "phone max", category: "phones", price: 1199, popularity: 4),
        Product(name: "phone mini", category: "phones", price: 549, popularity: 4),
        Product(name: "phone pro", category: "phones", price: 999, popularity: 7),
        Product(name: "power bank", category: "accessories", price: 45, popularity: 3),
        Product(name: "repair", category: "services", price: 120, popularity: 2),
        Product(name: "router", category: "home", price: 129, popularity: 3),
        Product(name: "screen protector", category: "accessories", price: 15, popularity: 3),
        Product(name: "setup service", category: "services", price: 89, popularity: 2),
        Product(name: "smart bulb", category: "home", price: 19, popularity: 3),
        Product(name: "smart speaker", category: "home", price: 99, popularity: 3),
        Product(name: "smartwatch", category: "wearables", price: 349, popularity: 3),
        Product(name: "thermostat", category: "home", price: 179, popularity: 2),
        Product(name: "training", category: "services", price: 250, popularity: 1),
        Product(name: "usb cable", category: "accessories", price: 12, popularity: 6),
        Product(name: "vpn", category: "software", price: 40, popularity: 2),
        Product(name: "watch strap", category: "wearables", price: 39, popularity: 1),
        Product(name: "webcam", category: "peripherals", price: 89, popularity: 2),
    ]

    static let categories = [
        "accessories", "home", "laptops", "peripherals", "phones", "services", "software", "wearables",
    ]

    /// What usually goes into the basket with an anchor product, and how
    /// often: the bundles association rules are meant to rediscover.
    static let companions: [String: [(name: String, probability: Double)]] = [
        "phone basic": [("charger", 0.5), ("phone case", 0.45)],
        "phone mini": [("phone case", 0.55), ("charger", 0.4)],
        "phone pro": [("phone case", 0.6), ("screen protector", 0.55), ("earbuds", 0.35)],
        "phone max": [("phone case", 0.6), ("screen protector", 0.5), ("power bank", 0.4)],
        "laptop 13": [("mouse", 0.5), ("laptop bag", 0.45), ("office suite", 0.4)],
        "laptop 15": [("mouse", 0.5), ("laptop bag", 0.45), ("antivirus", 0.4)],
        "laptop workstation": [("monitor 27", 0.6), ("keyboard", 0.5), ("extended warranty", 0.45)],
        "smartwatch": [("watch strap", 0.5)],
        "router": [("smart bulb", 0.45), ("smart speaker", 0.35)],
    ]

    /// Channels, and how individuals and businesses split over them.
    static let channels = ["partner", "phone", "store", "web"]
    static let individualChannelWeights: [Double] = [0.08, 0.08, 0.34, 0.50]
    static let businessChannelWeights: [Double] = [0.35, 0.20, 0.15, 0.30]

    // MARK: Interactions

    static let interactionKinds = ["call", "email", "visit", "chat", "complaint", "survey"]
    /// Interaction kinds by stage (rows in `stages` order): complaints
    /// gather where customers are slipping away.
    static let interactionKindWeights: [[Double]] = [
        [0.30, 0.40, 0.06, 0.16, 0.02, 0.06],
        [0.25, 0.32, 0.08, 0.18, 0.05, 0.12],
        [0.24, 0.30, 0.10, 0.18, 0.04, 0.14],
        [0.22, 0.24, 0.06, 0.16, 0.20, 0.12],
        [0.18, 0.28, 0.03, 0.14, 0.24, 0.13],
    ]
    static let outcomes = ["open", "resolved", "escalated"]
    static let agents = (1...30).map { "agent" + twoDigits($0) }

    // MARK: Names

    /// A name as shown, and a plain-ASCII form for e-mail addresses.
    struct Name {
        var shown: String
        var ascii: String
        init(_ shown: String, _ ascii: String) {
            self.shown = shown
            self.ascii = ascii
        }
    }

    static let firstNames: [Name] = [
        Name("Ada", "ada"), Name("Ana", "ana"), Name("Ben", "ben"), Name("Chloé", "chloe"),
        Name("Dmitri", "dmitri"), Name("Elena", "elena"), Name("Farid", "farid"),
        Name("François", "francois"), Name("Grace", "grace"), Name("Hiro", "hiro"),
        Name("Inès", "ines"), Name("Jonas", "jonas"), Name("José", "jose"), Name("Kavya", "kavya"),
        Name("Liam", "liam"), Name("Mei", "mei"), Name("Nora", "nora"), Name("Omar", "omar"),
        Name("Priya", "priya"), Name("Quinn", "quinn"), Name("Rosa", "rosa"), Name("Søren", "soren"),
        Name("Tariq", "tariq"), Name("Uma", "uma"), Name("Victor", "victor"), Name("Wen", "wen"),
        Name("Yara", "yara"), Name("Zoë", "zoe"),
    ]

    static let lastNames: [Name] = [
        Name("Andersson", "andersson"), Name("Çelik", "celik"), Name("Costa", "costa"),
        Name("Dubois", "dubois"), Name("García", "garcia"), Name("Haddad", "haddad"),
        Name("Ivanova", "ivanova"), Name("Jensen", "jensen"), Name("Kim", "kim"),
        Name("Kowalski", "kowalski"), Name("Lee", "lee"), Name("Müller", "muller"),
        Name("Nguyen", "nguyen"), Name("Novák", "novak"), Name("O'Brien", "obrien"),
        Name("Okafor", "okafor"), Name("Patel", "patel"), Name("Rossi", "rossi"),
        Name("Silva", "silva"), Name("Smith", "smith"), Name("Tanaka", "tanaka"),
    ]

    /// Whole names written in Chinese, Japanese and Korean script.
    static let cjkNames: [Name] = [
        Name("王芳", "wang.fang"), Name("李娜", "li.na"), Name("张伟", "zhang.wei"),
        Name("刘洋", "liu.yang"), Name("陈静", "chen.jing"), Name("杨磊", "yang.lei"),
        Name("赵敏", "zhao.min"), Name("黄丽", "huang.li"), Name("周杰", "zhou.jie"),
        Name("吴刚", "wu.gang"), Name("徐静", "xu.jing"), Name("孙丽", "sun.li"),
        Name("佐藤健", "sato.ken"), Name("鈴木花子", "suzuki.hanako"), Name("김민준", "kim.minjun"),
        Name("이서연", "lee.seoyeon"),
    ]

    static let companyWords: [Name] = [
        Name("Acme", "acme"), Name("Globex", "globex"), Name("Initech", "initech"),
        Name("Umbrella", "umbrella"), Name("Stark", "stark"), Name("Wayne", "wayne"),
        Name("Hooli", "hooli"), Name("Vandelay", "vandelay"), Name("Soylent", "soylent"),
        Name("Tyrell", "tyrell"), Name("Cyberdyne", "cyberdyne"), Name("Wonka", "wonka"),
    ]
    static let companySuffixes = ["Ltd", "Inc", "GmbH", "S.A.", "LLC", "Co"]
    /// Words a company puts in quotes in its own name (`Acme "Best" Co`).
    static let quotedWords = ["Best", "Prime", "Smart", "Golden"]

    static let cjkCompanies: [Name] = [
        Name("华信科技有限公司", "huaxin"), Name("东方贸易有限公司", "dongfang"),
        Name("长江实业", "changjiang"), Name("金桥集团", "jinqiao"),
        Name("新世纪零售", "xinshiji"), Name("宏达制造", "hongda"),
        Name("株式会社さくら", "sakura"), Name("한빛전자", "hanbit"),
    ]

    /// The first customers always carry these names, so that examples and
    /// tests can count on text that is hard to quote, sort and align.
    static let fixedNames: [(name: Name, isBusiness: Bool)] = [
        (Name("王芳", "wang.fang"), false),
        (Name("Chloé Müller", "chloe.muller"), false),
        (Name("O'Brien, Ltd", "obrien"), true),
        (Name("Acme \"Best\" Co", "acme"), true),
    ]

    // MARK: Utilities

    static func twoDigits(_ number: Int) -> String {
        number < 10 ? "0" + String(number) : String(number)
    }

    /// The position of each name in `names`.
    static func positions(_ names: [String]) -> [String: Int32] {
        var result: [String: Int32] = [:]
        for (index, name) in names.enumerated() { result[name] = Int32(index) }
        return result
    }
}
