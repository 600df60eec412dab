//! A small response-body checker for the two schema dialects in shared/contracts:
//! Google discovery documents (`$ref: "Name"` into `schemas`) and OpenAPI 3.0
//! (`$ref: '#/components/schemas/Name'`, `allOf`, `nullable`).
//!
//! Strict on purpose: every property a fake returns must be declared (OData control
//! annotations such as `@odata.context` and delta's `@removed` excepted), types and enums must match, and
//! `required` properties must be there.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

pub fn contracts_dir() -> PathBuf {
    inlay_sandbox::contracts::require(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

#[derive(Clone, Copy, PartialEq)]
#[allow(dead_code)] // each test file uses one dialect
pub enum Dialect {
    Discovery,
    OpenApi,
}

pub struct Checker<'a> {
    pub root: &'a Value,
    pub dialect: Dialect,
}

impl<'a> Checker<'a> {
    pub fn resolve(&self, reference: &str) -> &'a Value {
        let found = match self.dialect {
            Dialect::Discovery => self.root.pointer(&format!("/schemas/{reference}")),
            Dialect::OpenApi => reference
                .strip_prefix('#')
                .and_then(|p| self.root.pointer(p)),
        };
        found.unwrap_or_else(|| panic!("unresolvable $ref {reference}"))
    }

    /// Errors found in `value` against `schema`, as `path: message` lines.
    pub fn check(&self, value: &Value, schema: &'a Value) -> Vec<String> {
        assert!(
            schema.is_object(),
            "no schema to check against (a wrong lookup?): {schema}"
        );
        let mut errors = Vec::new();
        self.check_at(value, schema, "$", &mut errors);
        errors
    }

    fn check_at(&self, value: &Value, schema: &'a Value, at: &str, errors: &mut Vec<String>) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return self.check_at(value, self.resolve(reference), at, errors);
        }
        if value.is_null() {
            if self.dialect == Dialect::OpenApi && self.nullable(schema) {
                return;
            }
            return errors.push(format!("{at}: null where the schema does not allow it"));
        }
        if let Some(allowed) = self.find(schema, "enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errors.push(format!(
                "{at}: {value} is not one of {}",
                Value::Array(allowed.clone())
            ));
        }
        let Some(kind) = self.find(schema, "type").and_then(Value::as_str) else {
            return;
        };
        let ok = match kind {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "any" => true,
            other => panic!("schema type {other} not handled"),
        };
        if !ok {
            return errors.push(format!("{at}: expected {kind}, got {value}"));
        }
        match value {
            Value::Array(items) => {
                let item_schema = self
                    .find(schema, "items")
                    .unwrap_or_else(|| panic!("{at}: array without items"));
                for (i, item) in items.iter().enumerate() {
                    self.check_at(item, item_schema, &format!("{at}[{i}]"), errors);
                }
            }
            Value::Object(object) => self.check_object(object, schema, at, errors),
            _ => {}
        }
    }

    fn check_object(
        &self,
        object: &Map<String, Value>,
        schema: &'a Value,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        let properties = self.properties(schema);
        if properties.is_empty() {
            // A map: discovery documents give the value schema; OpenAPI's
            // `additionalProperties: {type: object}` is Graph's "anything goes".
            if let (Dialect::Discovery, Some(values)) =
                (self.dialect, schema.get("additionalProperties"))
            {
                for (key, v) in object {
                    self.check_at(v, values, &format!("{at}.{key}"), errors);
                }
            }
            return;
        }
        for (key, v) in object {
            // `@removed` is the delta query's instance annotation on a
            // deleted entity (delta-query-overview), like `@odata.*` not a
            // property.
            if self.dialect == Dialect::OpenApi && (key.contains("@odata.") || key == "@removed") {
                continue;
            }
            match properties.get(key.as_str()) {
                Some(&property) => self.check_at(v, property, &format!("{at}.{key}"), errors),
                None => errors.push(format!("{at}: property {key:?} is not declared")),
            }
        }
        for required in self.required(schema) {
            if !object.contains_key(&required) {
                errors.push(format!("{at}: required property {required:?} missing"));
            }
        }
    }

    /// The schema with `$ref`s and `allOf`s flattened into a list of parts.
    fn parts(&self, schema: &'a Value) -> Vec<&'a Value> {
        let mut out = Vec::new();
        let mut stack = vec![schema];
        while let Some(s) = stack.pop() {
            if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
                stack.push(self.resolve(reference));
                continue;
            }
            out.push(s);
            if let Some(all) = s.get("allOf").and_then(Value::as_array) {
                stack.extend(all.iter());
            }
        }
        out
    }

    fn find(&self, schema: &'a Value, key: &str) -> Option<&'a Value> {
        self.parts(schema).into_iter().find_map(|p| p.get(key))
    }

    fn nullable(&self, schema: &'a Value) -> bool {
        self.find(schema, "nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn properties(&self, schema: &'a Value) -> HashMap<&'a str, &'a Value> {
        self.parts(schema)
            .into_iter()
            .filter_map(|part| part.get("properties").and_then(Value::as_object))
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }

    fn required(&self, schema: &'a Value) -> Vec<String> {
        self.parts(schema)
            .into_iter()
            .filter_map(|p| p.get("required").and_then(Value::as_array))
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }
}
