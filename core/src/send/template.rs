//! Personalisation tokens in a subject or body, HubSpot-like:
//! `{{contact.firstname}}`, with a fallback `{{contact.firstname | there}}`.
//!
//! A token names a record kind (`contact`, `company`, `deal`, `sender`) and
//! one of its fields, as the CRM's records name them (`crm/model.rs`:
//! `firstName`, `jobTitle`, `closeDate`, …), compared without case so
//! HubSpot's `firstname` works too; a custom property is known when the
//! context carries it. Nothing is guessed: a field Inlay does not know is an
//! error naming it, and so is a known field with no value and no fallback,
//! so an email never goes out as "Hi ,".
//!
//! Values inserted into HTML are escaped (a contact named `<script>` stays
//! text); the fallback is part of the template, written by its author, and
//! goes in as it is (the body is sanitised afterwards either way).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The fields each kind of record offers, in the CRM's spelling.
const CONTACT: &[&str] = &[
    "firstName",
    "lastName",
    "fullName",
    "email",
    "jobTitle",
    "phone",
    "lifecycleStage",
    "leadStatus",
];
const COMPANY: &[&str] = &["name", "domain"];
const DEAL: &[&str] = &[
    "name",
    "pipeline",
    "stage",
    "amount",
    "currency",
    "closeDate",
];
const SENDER: &[&str] = &["firstName", "lastName", "fullName", "email"];

/// The values tokens are filled from: one map per record kind, field name
/// (the CRM's spelling, or a custom property's key) to value. A field left
/// out or empty has no value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenContext {
    #[serde(default)]
    pub contact: BTreeMap<String, String>,
    #[serde(default)]
    pub company: BTreeMap<String, String>,
    #[serde(default)]
    pub deal: BTreeMap<String, String>,
    #[serde(default)]
    pub sender: BTreeMap<String, String>,
}

/// Where the rendered text goes: HTML escapes the values, text does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Text,
    Html,
}

/// Why a template could not be filled in. `tokens` names every token at
/// fault, as written in the template (without the braces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// Tokens naming a record kind or field Inlay does not know.
    Unknown { tokens: Vec<String> },
    /// Known tokens without a value here and without a fallback.
    Missing { tokens: Vec<String> },
}

impl TemplateError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown { .. } => "unknownToken",
            Self::Missing { .. } => "missingTokenValue",
        }
    }

    /// The first token at fault.
    pub fn token(&self) -> &str {
        match self {
            Self::Unknown { tokens } | Self::Missing { tokens } => {
                tokens.first().map_or("", String::as_str)
            }
        }
    }
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown { tokens } => write!(
                f,
                "{} {} not a field Inlay knows. Check the spelling (for example \
                 {{{{contact.firstName}}}}, {{{{company.name}}}}, {{{{deal.stage}}}}, \
                 {{{{sender.firstName}}}}) or remove it.",
                braces(tokens),
                if tokens.len() == 1 { "is" } else { "are" },
            ),
            Self::Missing { tokens } => write!(
                f,
                "{} {} no value for this email and no fallback. Fill in the field on the \
                 record, or give the token a fallback such as {{{{{} | there}}}}.",
                braces(tokens),
                if tokens.len() == 1 { "has" } else { "have" },
                tokens.first().map_or("contact.firstName", String::as_str),
            ),
        }
    }
}

fn braces(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("{{{{{t}}}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One `{{…}}` of a template.
struct Token<'a> {
    /// The whole `{{…}}`, for errors and offsets.
    start: usize,
    end: usize,
    /// `kind.field`, trimmed.
    name: &'a str,
    fallback: Option<&'a str>,
}

/// The tokens of a template, in order. An opening `{{` without a closing
/// `}}` is text.
fn tokens(template: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = template[at..].find("{{") {
        let start = at + open;
        let Some(close) = template[start + 2..].find("}}") else {
            break;
        };
        let inner = &template[start + 2..start + 2 + close];
        let end = start + 2 + close + 2;
        let (name, fallback) = match inner.split_once('|') {
            Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
            None => (inner.trim(), None),
        };
        out.push(Token {
            start,
            end,
            name,
            fallback,
        });
        at = end;
    }
    out
}

impl TokenContext {
    /// The value of `kind.field`: `Err(())` when Inlay does not know the
    /// field, `Ok(None)` when it has no value here.
    fn value(&self, name: &str) -> Result<Option<&str>, ()> {
        let (kind, field) = name.split_once('.').ok_or(())?;
        let (fields, values) = match kind.to_ascii_lowercase().as_str() {
            "contact" => (CONTACT, &self.contact),
            "company" => (COMPANY, &self.company),
            "deal" => (DEAL, &self.deal),
            "sender" => (SENDER, &self.sender),
            _ => return Err(()),
        };
        let given = values
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(field))
            .map(|(_, value)| value.trim());
        let known = given.is_some() || fields.iter().any(|f| f.eq_ignore_ascii_case(field));
        if !known {
            return Err(());
        }
        Ok(given.filter(|v| !v.is_empty()))
    }
}

/// Fills every token of `template` from `context`. All tokens at fault are
/// named at once: unknown ones first (a typo), else missing values.
pub fn render(
    template: &str,
    context: &TokenContext,
    target: Target,
) -> Result<String, TemplateError> {
    let found = tokens(template);
    let mut unknown = Vec::new();
    let mut missing = Vec::new();
    let mut out = String::with_capacity(template.len());
    let mut at = 0;
    for token in &found {
        out.push_str(&template[at..token.start]);
        at = token.end;
        let name = match target {
            Target::Text => token.name.to_owned(),
            Target::Html => editor_name(token.name),
        };
        let name = name.as_str();
        match (context.value(name), token.fallback) {
            (Err(()), _) => push_once(&mut unknown, name),
            (Ok(Some(value)), _) => match target {
                Target::Text => out.push_str(value),
                Target::Html => escape_html(value, &mut out),
            },
            (Ok(None), Some(fallback)) => out.push_str(match target {
                Target::Text => fallback,
                Target::Html => trim_nbsp(fallback),
            }),
            (Ok(None), None) => push_once(&mut missing, name),
        }
    }
    out.push_str(&template[at..]);
    if !unknown.is_empty() {
        return Err(TemplateError::Unknown { tokens: unknown });
    }
    if !missing.is_empty() {
        return Err(TemplateError::Missing { tokens: missing });
    }
    Ok(out)
}

/// A token's name as a rich-text editor may have written it: a tag inside
/// the braces (`{{<span>contact.firstName</span>}}`, a style applied to part
/// of it) and a non-breaking space (`{{contact.firstName&nbsp;}}`) are not
/// part of the name.
fn editor_name(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => name.push(c),
            _ => {}
        }
    }
    name.replace("&nbsp;", " ")
        .replace('\u{a0}', " ")
        .trim()
        .to_owned()
}

/// A fallback without the editor's non-breaking spaces around it.
fn trim_nbsp(mut fallback: &str) -> &str {
    loop {
        let before = fallback.len();
        fallback = fallback.trim_matches(|c: char| c.is_whitespace());
        fallback = fallback.strip_prefix("&nbsp;").unwrap_or(fallback);
        fallback = fallback.strip_suffix("&nbsp;").unwrap_or(fallback);
        if fallback.len() == before {
            return fallback;
        }
    }
}

fn push_once(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

/// Escapes what could end text or an attribute value in HTML.
fn escape_html(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> TokenContext {
        let mut c = TokenContext::default();
        c.contact.insert("firstName".into(), "Ada".into());
        c.contact.insert("lastName".into(), "".into());
        c.contact.insert("favouriteColour".into(), "teal".into());
        c.company
            .insert("name".into(), "Analytical <Engines> & Co".into());
        c.sender.insert("firstName".into(), "Bob".into());
        c
    }

    #[test]
    fn fills_tokens_without_case_and_with_spaces() {
        let out = render(
            "Hi {{contact.firstname}}, {{ Contact.FirstName }} from {{sender.firstName}}",
            &context(),
            Target::Text,
        );
        assert_eq!(out.unwrap(), "Hi Ada, Ada from Bob");
    }

    #[test]
    fn fallback_only_when_there_is_no_value() {
        let c = context();
        assert_eq!(
            render("Hi {{contact.firstname | there}}", &c, Target::Text).unwrap(),
            "Hi Ada"
        );
        assert_eq!(
            render("Hi {{contact.lastName | there}}!", &c, Target::Text).unwrap(),
            "Hi there!"
        );
        assert_eq!(
            render("Hi {{contact.jobTitle|}}!", &c, Target::Text).unwrap(),
            "Hi !"
        );
    }

    #[test]
    fn missing_values_are_named() {
        let err = render(
            "{{contact.lastName}} {{deal.stage}} {{contact.lastName}}",
            &context(),
            Target::Text,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TemplateError::Missing {
                tokens: vec!["contact.lastName".into(), "deal.stage".into()]
            }
        );
        assert_eq!(err.code(), "missingTokenValue");
        assert_eq!(err.token(), "contact.lastName");
        let message = err.to_string();
        assert!(
            message.contains("{{contact.lastName}}, {{deal.stage}} have no value"),
            "{message}"
        );
        assert!(
            message.contains("{{contact.lastName | there}}"),
            "{message}"
        );
    }

    #[test]
    fn unknown_tokens_are_named_before_missing_ones() {
        let err = render(
            "{{contact.lastName}} {{contact.middlename}} {{owner.name}} {{nodot}}",
            &context(),
            Target::Text,
        )
        .unwrap_err();
        assert_eq!(
            err,
            TemplateError::Unknown {
                tokens: vec![
                    "contact.middlename".into(),
                    "owner.name".into(),
                    "nodot".into()
                ]
            }
        );
        assert!(
            err.to_string()
                .starts_with("{{contact.middlename}}, {{owner.name}}, {{nodot}} are not a field")
        );
        assert_eq!(err.code(), "unknownToken");
    }

    #[test]
    fn a_custom_property_is_known_when_the_context_has_it() {
        let c = context();
        assert_eq!(
            render("{{contact.favouriteColour}}", &c, Target::Text).unwrap(),
            "teal"
        );
        assert!(render("{{company.favouriteColour}}", &c, Target::Text).is_err());
    }

    #[test]
    fn html_values_are_escaped_but_text_values_are_not() {
        let mut c = context();
        c.contact
            .insert("firstName".into(), "<script>alert(1)</script>\"'".into());
        assert_eq!(
            render(
                "<p title=\"{{contact.firstName}}\">{{company.name}}</p>",
                &c,
                Target::Html
            )
            .unwrap(),
            "<p title=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;\">Analytical &lt;Engines&gt; &amp; Co</p>"
        );
        assert_eq!(
            render("{{company.name}}", &c, Target::Text).unwrap(),
            "Analytical <Engines> & Co"
        );
    }

    #[test]
    fn an_editor_s_markup_inside_the_braces_is_not_part_of_the_name() {
        let c = context();
        assert_eq!(
            render(
                "<p>Hi {{<span style=\"color:red\">contact.firstName</span>&nbsp;}}, \
                 {{contact.lastName&nbsp;|&nbsp;there}}</p>",
                &c,
                Target::Html
            )
            .unwrap(),
            "<p>Hi Ada, there</p>"
        );
        // In a subject (text) the name is read as written.
        assert!(render("{{<b>contact.firstName</b>}}", &c, Target::Text).is_err());
    }

    #[test]
    fn text_without_a_closed_token_is_kept() {
        let c = context();
        assert_eq!(render("a {{ b", &c, Target::Text).unwrap(), "a {{ b");
        assert_eq!(render("{ {x} }", &c, Target::Text).unwrap(), "{ {x} }");
        assert_eq!(
            render("{{contact.firstName}}}} {{", &c, Target::Text).unwrap(),
            "Ada}} {{"
        );
    }
}
