//! Deals moving through stages, tasks, notes, delete and undo, each through
//! the two phases with the in-memory store.

mod crm_store;

use crm_store::{Store, command, saved_id};
use inlay_core::crm::{AnyRecord, CrmErrorCode};

fn contact(store: &mut Store, email: &str, first: &str) -> String {
    saved_id(
        &store
            .run(command(&format!(
                r#"{{"op":"saveContact","contact":{{"emails":["{email}"],"firstName":"{first}"}}}}"#
            )))
            .unwrap(),
    )
}

#[test]
fn a_deal_moves_only_to_a_stage_of_its_pipeline() {
    let mut store = Store::new();
    let ann = contact(&mut store, "ann@acme.example", "Ann");
    let deal = saved_id(
        &store
            .run(command(&format!(
                r#"{{"op":"saveDeal","deal":{{"name":"Renewal","contactIds":["{ann}"]}}}}"#
            )))
            .unwrap(),
    );
    let w = store
        .run(command(&format!(
            r#"{{"op":"moveDeal","deal":"{deal}","stage":"contractsent"}}"#
        )))
        .unwrap();
    assert_eq!(w.result.message, "Moved Renewal to Contract sent.");
    let entry = &w.put.timeline[0];
    assert_eq!(entry.kind, "stageChanged");
    assert_eq!(
        entry.summary,
        "Renewal: Appointment scheduled → Contract sent"
    );
    assert!(
        store
            .timeline_of(&ann)
            .iter()
            .any(|e| e.kind == "stageChanged")
    );
    let e = store
        .run(command(&format!(
            r#"{{"op":"moveDeal","deal":"{deal}","stage":"signed"}}"#
        )))
        .unwrap_err();
    assert_eq!(e.code, CrmErrorCode::StageNotInPipeline);
    // The same stage again is no write.
    let w = store
        .run(command(&format!(
            r#"{{"op":"moveDeal","deal":"{deal}","stage":"contractsent"}}"#
        )))
        .unwrap();
    assert!(w.put.deals.is_empty() && w.put.timeline.is_empty());
}

#[test]
fn notes_and_tasks_show_on_their_records_and_count_as_activity() {
    let mut store = Store::new();
    let ann = contact(&mut store, "ann@acme.example", "Ann");
    assert_eq!(store.contact(&ann).last_activity_at, None);
    let w = store
        .run(command(&format!(
            r#"{{"op":"saveNote","note":{{"body":"  Met at the fair.\nWants a demo. ","related":["contact:{ann}"]}}}}"#
        )))
        .unwrap();
    let Some(AnyRecord::Note(note)) = w.result.record else {
        panic!()
    };
    assert_eq!(note.body, "Met at the fair.\nWants a demo.");
    let entries = store.timeline_of(&ann);
    assert!(
        entries
            .iter()
            .any(|e| e.kind == "note" && e.summary == "Met at the fair.")
    );
    assert_eq!(store.contact(&ann).last_activity_at, Some(store.clock));

    let w = store
        .run(command(&format!(
            r#"{{"op":"saveTask","task":{{"title":"Call Ann","due":"2026-12-24","kind":"call","related":["contact:{ann}"]}}}}"#
        )))
        .unwrap();
    let task = saved_id(&w);
    assert_eq!(w.put.timeline[0].kind, "task");
    let w = store
        .run(command(&format!(
            r#"{{"op":"completeTask","task":"{task}"}}"#
        )))
        .unwrap();
    let Some(AnyRecord::Task(t)) = w.result.record else {
        panic!()
    };
    assert!(t.done);
    assert_eq!(w.put.timeline[0].kind, "taskCompleted");
    assert!(w.put.timeline[0].records.iter().any(|r| r.id() == ann));

    for (json, code) in [
        (
            r#"{"title":"x","due":"tomorrow"}"#,
            CrmErrorCode::DateNotDate,
        ),
        (r#"{"title":""}"#, CrmErrorCode::Required),
        (
            r#"{"title":"x","related":["contact:ct_aaaaaaaaaaaaaaaa"]}"#,
            CrmErrorCode::NotFound,
        ),
    ] {
        let e = store
            .run(command(&format!(r#"{{"op":"saveTask","task":{json}}}"#)))
            .unwrap_err();
        assert_eq!(e.code, code, "{json}");
    }
}

#[test]
fn a_note_over_64_kib_is_refused_in_words() {
    let mut store = Store::new();
    for size in [64 * 1024 + 1, 10 * 1024 * 1024] {
        let body = "a".repeat(size);
        let e = store
            .run(command(&format!(
                r#"{{"op":"saveNote","note":{{"body":"{body}"}}}}"#
            )))
            .unwrap_err();
        assert_eq!(e.code, CrmErrorCode::NoteTooLarge);
        assert!(e.message.contains("at most 64 KiB"), "{}", e.message);
    }
    let body = "é".repeat(32 * 1024); // 64 KiB of UTF-8 exactly
    store
        .run(command(&format!(
            r#"{{"op":"saveNote","note":{{"body":"{body}"}}}}"#
        )))
        .unwrap();
}

#[test]
fn delete_moves_to_trash_and_undo_brings_everything_back() {
    let mut store = Store::new();
    let ann = contact(&mut store, "ann@acme.example", "Ann");
    let bob = contact(&mut store, "bob@acme.example", "Bob");
    store
        .run(command(&format!(
            r#"{{"op":"saveNote","note":{{"body":"only Ann","related":["contact:{ann}"]}}}}"#
        )))
        .unwrap();
    store
        .run(command(&format!(
            r#"{{"op":"saveNote","note":{{"body":"Ann and Bob","related":["contact:{ann}","contact:{bob}"]}}}}"#
        )))
        .unwrap();
    let deal = saved_id(
        &store
            .run(command(&format!(
                r#"{{"op":"saveDeal","deal":{{"name":"D","contactIds":["{ann}","{bob}"]}}}}"#
            )))
            .unwrap(),
    );
    let before = store.clone();

    let w = store
        .run(command(&format!(
            r#"{{"op":"delete","record":"contact:{ann}"}}"#
        )))
        .unwrap();
    assert_eq!(w.result.message, "Deleted Ann.");
    let trash = w.result.trash_id.clone().unwrap();
    assert!(!store.records.contains_key(&ann));
    // The note only about Ann went with her; the shared note and the deal stay.
    assert_eq!(w.delete.notes.len(), 1);
    assert_eq!(
        store
            .records
            .values()
            .filter(|r| matches!(r, AnyRecord::Note(_)))
            .count(),
        1
    );
    assert!(store.records.contains_key(&deal));
    // Entries only on Ann (and her note) are in the trash; shared ones stay.
    assert!(store.timeline.values().all(|e| e.summary != "only Ann"));
    assert!(store.timeline.values().any(|e| e.summary == "Ann and Bob"));
    // Her address is free again.
    contact(&mut store, "ann2@acme.example", "Ann Two");

    let w = store
        .run(command(&format!(
            r#"{{"op":"undoDelete","trashId":"{trash}"}}"#
        )))
        .unwrap();
    assert_eq!(w.result.message, "Restored Ann.");
    let restored = w
        .put
        .timeline
        .iter()
        .find(|e| e.kind == "restored")
        .expect("a restored entry");
    assert!(restored.records.iter().any(|r| r.id() == ann));
    assert_eq!(store.records.get(&ann), before.records.get(&ann));
    for (id, e) in &before.timeline {
        assert_eq!(store.timeline.get(id), Some(e), "entry {} lost", e.summary);
    }
    // Beside them: Ann Two's creation and the restore.
    assert_eq!(store.timeline.len(), before.timeline.len() + 2);
    assert!(store.trash.is_empty());
    let e = store
        .run(command(&format!(
            r#"{{"op":"undoDelete","trashId":"{trash}"}}"#
        )))
        .unwrap_err();
    assert_eq!(e.code, CrmErrorCode::TrashNotFound);
}

#[test]
fn commands_on_missing_or_malformed_records_are_refused_in_words() {
    let mut store = Store::new();
    for (json, code) in [
        (
            r#"{"op":"delete","record":"contact:ct_aaaaaaaaaaaaaaaa"}"#,
            CrmErrorCode::NotFound,
        ),
        (
            r#"{"op":"moveDeal","deal":"dl_aaaaaaaaaaaaaaaa","stage":"closedwon"}"#,
            CrmErrorCode::NotFound,
        ),
        (
            r#"{"op":"moveDeal","deal":"ct_aaaaaaaaaaaaaaaa","stage":"closedwon"}"#,
            CrmErrorCode::InvalidId,
        ),
        (
            r#"{"op":"completeTask","task":"nope"}"#,
            CrmErrorCode::InvalidId,
        ),
        (
            r#"{"op":"undoDelete","trashId":"tr_aaaaaaaaaaaaaaaa"}"#,
            CrmErrorCode::TrashNotFound,
        ),
    ] {
        let e = store.run(command(json)).unwrap_err();
        assert_eq!(e.code, code, "{json}");
        assert!(e.message.ends_with('.'), "{}", e.message);
    }
    // A reference of the wrong form is refused by the schema already.
    assert!(
        serde_json::from_str::<inlay_core::crm::CrmCommand>(
            r#"{"op":"delete","record":"contact:bob"}"#
        )
        .is_err()
    );
}

#[test]
fn an_undo_is_refused_in_words_when_the_address_was_taken_since() {
    let mut store = Store::new();
    let ann = contact(&mut store, "ann@acme.example", "Ann");
    let w = store
        .run(command(&format!(
            r#"{{"op":"delete","record":"contact:{ann}"}}"#
        )))
        .unwrap();
    let trash = w.result.trash_id.unwrap();
    contact(&mut store, "ANN@acme.example", "Annette");
    let e = store
        .run(command(&format!(
            r#"{{"op":"undoDelete","trashId":"{trash}"}}"#
        )))
        .unwrap_err();
    assert_eq!(e.code, CrmErrorCode::DuplicateAddress);
    assert_eq!(
        e.message,
        "Ann can't be restored: ann@acme.example now belongs to Annette. Remove it there (or merge the two) and undo again."
    );
    assert!(store.trash.contains_key(&trash));
}
