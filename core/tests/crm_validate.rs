//! Property rules as tables: amounts, dates, phones, currencies, address
//! keys, company domains and names.

use inlay_core::crm::address::email_key;
use inlay_core::crm::company::{company_domain, name_from_domain, registrable_domain};
use inlay_core::crm::decimal::{canonical_amount, sum_amounts};
use inlay_core::crm::validate::{currency, date, phone};

#[test]
fn amounts_are_exact_decimals() {
    for (typed, canonical) in [
        ("1250", Some("1250.00")),
        (" 1250.5 ", Some("1250.50")),
        ("0.125", Some("0.125")),
        ("+3", Some("3.00")),
        ("-20.10", Some("-20.10")),
        ("007.000", Some("7.00")),
        (".5", Some("0.50")),
        ("12.", Some("12.00")),
        (
            "999999999999999999.999999",
            Some("999999999999999999.999999"),
        ),
        ("1000000000000000000", None),
        ("1.2345678", None),
        ("1,250", None),
        ("1e3", None),
        ("NaN", None),
        ("", None),
        ("-", None),
        ("1.2.3", None),
        ("١٢", None),
    ] {
        assert_eq!(
            canonical_amount(typed).ok().as_deref(),
            canonical,
            "{typed}"
        );
    }
    assert_eq!(sum_amounts(["0.1", "0.2"]), "0.30");
    assert_eq!(sum_amounts(["1250.00", "-250", "not a number"]), "1000.00");
    assert_eq!(sum_amounts([]), "0.00");
}

#[test]
fn dates_are_real_days() {
    for (typed, ok) in [
        ("2026-03-31", true),
        ("2024-02-29", true),
        ("2000-02-29", true),
        ("1900-02-29", false),
        ("2026-04-31", false),
        ("2026-13-01", false),
        ("2026-00-10", false),
        ("2026-1-5", false),
        ("0999-01-01", false),
        ("2026-03-31T00:00", false),
        ("31.03.2026", false),
    ] {
        assert_eq!(date("close date", typed).is_ok(), ok, "{typed}");
    }
}

#[test]
fn phones_currencies() {
    for (typed, ok) in [
        ("+1 (555) 010-0000", true),
        ("+44 20 7946 0000 ext 12", true),
        ("", true),
        ("555-CALL", false),
        ("<script>", false),
        ("()", false),
    ] {
        assert_eq!(phone(typed).is_ok(), ok, "{typed}");
    }
    for (typed, code) in [
        ("usd", Some("USD")),
        (" EUR ", Some("EUR")),
        ("JPY", Some("JPY")),
        ("XAU", None),
        ("EURO", None),
        ("", None),
    ] {
        assert_eq!(currency(typed).ok().as_deref(), code, "{typed}");
    }
}

#[test]
fn address_keys_are_the_core_s_mailbox_identity() {
    for (typed, key) in [
        ("Ann@Acme.Example", Some("ann@acme.example")),
        ("A.Da@GoogleMail.com", Some("ada@gmail.com")),
        ("ann+crm@acme.example", Some("ann+crm@acme.example")),
        ("jo@Bücher.example", Some("jo@xn--bcher-kva.example")),
        ("ann@acme", None),
        ("ann acme.example", None),
        ("<ann@acme.example>", None),
    ] {
        assert_eq!(email_key(typed).ok().as_deref(), key, "{typed}");
        if let Some(key) = key {
            assert_eq!(inlay_core::detect::mailbox_id(typed), key, "{typed}");
        }
    }
}

#[test]
fn company_domains_and_names_table() {
    for (domain, company, name) in [
        ("acme.example", Some("acme.example"), "Acme"),
        ("eu.sales.acme.com", Some("acme.com"), "Acme"),
        ("mail.big-river.co.uk", Some("big-river.co.uk"), "Big River"),
        ("uni.ac.jp", Some("uni.ac.jp"), "Uni"),
        ("gmail.com", None, "Gmail"),
        ("googlemail.com", None, "Googlemail"),
        ("hotmail.fr", None, "Hotmail"),
        ("icloud.com", None, "Icloud"),
        (
            "xn--bcher-kva.example",
            Some("xn--bcher-kva.example"),
            "xn--bcher-kva.example",
        ),
    ] {
        assert_eq!(company_domain(domain).as_deref(), company, "{domain}");
        assert_eq!(name_from_domain(domain), name, "{domain}");
    }
    assert_eq!(registrable_domain("a.b.c.d.example"), "d.example");
}
