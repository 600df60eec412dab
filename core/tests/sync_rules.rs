//! The logging rules of issue 13 as tables: what is logged, what is skipped
//! and why; the dry run counts from the same rules.

mod crm_store;
mod sync_world;

use inlay_core::crm::CrmSettings;
use inlay_core::crm::received_email::entry_id;
use inlay_core::crm::settings::EmailLogSettings;
use inlay_core::sync::dry_run::dry_run;
use inlay_core::sync::{Exclusion, FolderRole, LogKind, LogRules, SkipReason, Verdict, decide};
use sync_world::{INBOX, World, found_for, received, seen, world};

#[derive(Debug, PartialEq)]
enum Want {
    Log(LogKind, Vec<String>),
    Skip(SkipReason),
}

fn verdict_of(
    w: &World,
    settings: &CrmSettings,
    rules: &LogRules,
    folder: FolderRole,
    headers: &str,
) -> Verdict {
    let mut store = w.store.clone();
    store.settings = Some(settings.clone());
    let incoming = seen(INBOX, "p1", folder, headers);
    let found = found_for(&store, &incoming);
    let already = found.timeline.iter().any(|e| e.id == entry_id(&incoming));
    decide(&incoming, &found, settings, rules, already)
}

/// Names the verdict's contacts ("ann", "new:x@y") for the table.
fn named(w: &World, v: &Verdict) -> Want {
    match v {
        Verdict::Skip { reason } => Want::Skip(*reason),
        Verdict::Log {
            kind,
            contacts,
            new_contacts,
            ..
        } => {
            let names: Vec<String> = contacts
                .iter()
                .map(|c| {
                    if *c == w.ann {
                        "ann".to_string()
                    } else if *c == w.bob {
                        "bob".into()
                    } else {
                        c.clone()
                    }
                })
                .chain(new_contacts.iter().map(|a| format!("new:{a}")))
                .collect();
            Want::Log(*kind, names)
        }
    }
}

fn log(kind: LogKind, names: &[&str]) -> Want {
    Want::Log(kind, names.iter().map(|n| n.to_string()).collect())
}

#[test]
fn what_is_logged_and_what_is_skipped() {
    let w = world();
    let plain = CrmSettings::default();
    let creating = CrmSettings {
        email_log: EmailLogSettings {
            create_contacts: true,
            ..EmailLogSettings::default()
        },
        ..CrmSettings::default()
    };
    let never_acme = CrmSettings {
        email_log: EmailLogSettings {
            never_log: vec!["acme.example".into()],
            ..EmailLogSettings::default()
        },
        ..CrmSettings::default()
    };
    let none = LogRules::default();
    let rules = LogRules {
        exclude: vec![
            Exclusion::SubjectContains("INVOICE".into()),
            Exclusion::Domain("globex.example".into()),
            Exclusion::Address("Noreply@Vendor.example".into()),
        ],
    };
    use FolderRole::{Inbox, Other, Sent};
    use LogKind::{AutoReply, Bounce, Received};
    let rows: Vec<(&str, &CrmSettings, &LogRules, FolderRole, &str, Want)> = vec![
        (
            "a contact writes",
            &plain,
            &none,
            Inbox,
            "From: Ann <ann@acme.example>\nTo: me@inlay.example\nSubject: Hi",
            log(Received, &["ann"]),
        ),
        (
            "filed in another folder",
            &plain,
            &none,
            Other,
            "From: ann@acme.example\nTo: me@inlay.example",
            log(Received, &["ann"]),
        ),
        (
            "a stranger writes, copying two contacts",
            &plain,
            &none,
            Inbox,
            "From: x@other.example\nTo: me@inlay.example\nCc: bob@eu.globex.example, Ann <ANN@acme.example>",
            log(Received, &["bob", "ann"]),
        ),
        (
            "a mailing list",
            &plain,
            &none,
            Inbox,
            "From: ann@acme.example\nList-Id: <team.acme.example>",
            Want::Skip(SkipReason::MailingList),
        ),
        (
            "bulk mail",
            &plain,
            &none,
            Inbox,
            "From: ann@acme.example\nPrecedence: bulk",
            Want::Skip(SkipReason::Bulk),
        ),
        (
            "excluded by subject, any case",
            &plain,
            &rules,
            Inbox,
            "From: ann@acme.example\nSubject: Your invoice",
            Want::Skip(SkipReason::ExcludedByRule),
        ),
        (
            "excluded by domain, below it too",
            &plain,
            &rules,
            Inbox,
            "From: bob@eu.globex.example",
            Want::Skip(SkipReason::ExcludedByRule),
        ),
        (
            "excluded by address, any case",
            &plain,
            &rules,
            Inbox,
            "From: noreply@vendor.example\nCc: ann@acme.example",
            Want::Skip(SkipReason::ExcludedByRule),
        ),
        (
            "the rules leave other mail alone",
            &plain,
            &rules,
            Inbox,
            "From: ann@acme.example\nSubject: Renewal",
            log(Received, &["ann"]),
        ),
        (
            "a colleague (own domain, default)",
            &plain,
            &none,
            Inbox,
            "From: kim@inlay.example\nCc: ann@acme.example",
            Want::Skip(SkipReason::NeverLog),
        ),
        (
            "a never-log domain",
            &never_acme,
            &none,
            Inbox,
            "From: ann@acme.example",
            Want::Skip(SkipReason::NeverLog),
        ),
        (
            "never-log recipients only",
            &never_acme,
            &none,
            Inbox,
            "From: me@inlay.example\nTo: ann@acme.example",
            Want::Skip(SkipReason::NeverLog),
        ),
        (
            "no contact, create contacts off",
            &plain,
            &none,
            Inbox,
            "From: x@other.example\nTo: me@inlay.example",
            Want::Skip(SkipReason::NotACorrespondent),
        ),
        (
            "no contact, create contacts on",
            &creating,
            &none,
            Inbox,
            "From: X <x@other.example>\nTo: me@inlay.example",
            log(Received, &["new:x@other.example"]),
        ),
        (
            "out of office",
            &plain,
            &none,
            Inbox,
            "From: ann@acme.example\nSubject: Automatic reply: Proposal",
            log(AutoReply, &["ann"]),
        ),
        (
            "out of office of a stranger, create on",
            &creating,
            &none,
            Inbox,
            "From: x@other.example\nAuto-Submitted: auto-replied",
            Want::Skip(SkipReason::NotACorrespondent),
        ),
        (
            "a bounce from the own domain's mail system",
            &plain,
            &none,
            Inbox,
            "From: MAILER-DAEMON@inlay.example\nSubject: Undelivered Mail\nX-Failed-Recipients: ann@acme.example",
            log(Bounce, &["ann"]),
        ),
        (
            "a bounce of a stranger's address",
            &plain,
            &none,
            Inbox,
            "From: mailer-daemon@mx.example\nSubject: failure notice\nX-Failed-Recipients: x@other.example",
            Want::Skip(SkipReason::NotACorrespondent),
        ),
        (
            "sent from the inbox itself",
            &plain,
            &none,
            Sent,
            "From: me@inlay.example\nTo: ann@acme.example\nBcc: bob@eu.globex.example",
            log(LogKind::Sent, &["ann", "bob"]),
        ),
        (
            "the user's own email copied to the inbox",
            &plain,
            &none,
            Inbox,
            "From: Me <ME@inlay.example>\nTo: ann@acme.example\nCc: me@inlay.example",
            log(LogKind::Sent, &["ann"]),
        ),
        (
            "sent to a list is still the user's",
            &plain,
            &none,
            Sent,
            "From: me@inlay.example\nTo: ann@acme.example\nPrecedence: bulk",
            log(LogKind::Sent, &["ann"]),
        ),
    ];
    for (what, settings, rules, folder, headers, want) in rows {
        let v = verdict_of(&w, settings, rules, folder, headers);
        assert_eq!(named(&w, &v), want, "{what}");
    }
}

#[test]
fn a_log_names_the_company_and_open_deals_only() {
    let w = world();
    let v = verdict_of(
        &w,
        &CrmSettings::default(),
        &LogRules::default(),
        FolderRole::Inbox,
        "From: ann@acme.example",
    );
    let Verdict::Log {
        companies, deals, ..
    } = v
    else {
        panic!("{v:?}")
    };
    assert_eq!(companies, vec![w.acme.clone()]);
    assert_eq!(
        deals,
        vec![w.open_deal.clone()],
        "not the won deal {}",
        w.won_deal
    );
}

#[test]
fn a_copy_already_logged_is_a_duplicate() {
    let mut w = world();
    let e = received("From: ann@acme.example\nMessage-ID: <r1@acme.example>");
    sync_world::log(&mut w.store, &e, None, &LogRules::default());
    let again = seen(
        "other@inlay.example",
        "x9",
        FolderRole::Inbox,
        "From: ann@acme.example\nMessage-ID: <r1@ACME.example>",
    );
    let found = found_for(&w.store, &again);
    let already = found.timeline.iter().any(|x| x.id == entry_id(&again));
    assert_eq!(
        decide(
            &again,
            &found,
            &w.store.settings(),
            &LogRules::default(),
            already
        ),
        Verdict::Skip {
            reason: SkipReason::Duplicate
        }
    );
}

#[test]
fn the_dry_run_counts_from_the_same_rules() {
    let w = world();
    let settings = w.store.settings();
    let emails = vec![
        received("From: ann@acme.example\nMessage-ID: <a@x>"),
        // The same email through a second inbox.
        seen(
            "two@inlay.example",
            "q",
            FolderRole::Inbox,
            "From: ann@acme.example\nMessage-ID: <a@x>",
        ),
        received("From: bob@eu.globex.example\nMessage-ID: <b@x>"),
        received("From: ann@acme.example\nMessage-ID: <c@x>\nSubject: Out of office: back soon"),
        received("From: news@list.example\nList-Id: <n.list.example>\nMessage-ID: <d@x>"),
        received("From: news@list.example\nList-Id: <n.list.example>\nMessage-ID: <e@x>"),
        received("From: kim@inlay.example\nMessage-ID: <f@x>"),
    ];
    let decided: Vec<_> = emails
        .into_iter()
        .map(|e| {
            let found = found_for(&w.store, &e);
            let v = decide(&e, &found, &settings, &LogRules::default(), false);
            (e, v)
        })
        .collect();
    let run = dry_run(&decided, 7);
    assert_eq!((run.logged, run.contacts, run.skipped), (3, 2, 4));
    assert_eq!(run.count_of(LogKind::AutoReply), 1);
    assert_eq!(
        run.sentence(),
        "In the last 7 days, Inlay would have logged 3 emails to 2 contacts, skipped 4 (mailing lists 2, never-log 1, already logged 1)."
    );
    assert_eq!(run.items.len(), 7);
    assert_eq!(
        run.items[1].verdict,
        Verdict::Skip {
            reason: SkipReason::Duplicate
        }
    );
    let one = dry_run(&decided[..1], 1);
    assert_eq!(
        one.sentence(),
        "In the last 1 day, Inlay would have logged 1 email to 1 contact."
    );
}
