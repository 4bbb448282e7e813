//! Conventions applied to the whole document after the handlers have contributed their paths, so
//! that client generators (openapi-python-client, openapi-typescript) and linters (Spectral,
//! Redocly) accept it unmodified, and Swagger UI sends only what the user typed:
//!
//! - `servers` names the server that serves the document;
//! - an operation that needs no token says so with an empty `security`;
//! - every GET that can answer 304 declares `If-None-Match`;
//! - a page's `items` refer to the item's schema instead of repeating it;
//! - query parameters keep their example in the description, not in `example`, which Swagger UI
//!   would fill in and send;
//! - each problem response shows an example with its own status and code.

use serde_json::{Map, Value, json};
use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, SchemaType};
use utoipa::openapi::server::Server;
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// Applies the conventions to `api`.
pub fn apply(mut api: OpenApi) -> OpenApi {
    let mut server = Server::new("/");
    server.description =
        Some("The server that serves this document (a local one is http://localhost:8080).".into());
    api.servers = Some(vec![server]);
    if let Some(components) = api.components.as_mut() {
        type_feed_and_history(&mut components.schemas);
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            if let Some(item) = name.strip_prefix("Paginated_")
                && names.iter().any(|n| n == item)
                && let RefOr::T(Schema::Object(page)) = schema
                && let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items")
            {
                items.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(item).into()));
            }
        }
    }
    drop_unused_schemas(&mut api);
    for item in api.paths.paths.values_mut() {
        let operations = [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            // Operations are structs, so their fields keep their order through JSON; only the
            // maps inside one (responses, media types) are re-read, in their own order.
            let Ok(Value::Object(mut fields)) = serde_json::to_value(&*operation) else {
                continue;
            };
            apply_to_operation(method, &mut fields);
            if let Ok(changed) = serde_json::from_value(Value::Object(fields)) {
                *operation = changed;
            }
        }
    }
    api
}

/// The feed's `state` and the history's `changes` are stored JSON; the document types them: a
/// feed item is one of a variant per entity, told apart by `entity`, whose `state` is that
/// entity's representation (or `null`, a tombstone), and a change is a map of field to old and
/// new value.
fn type_feed_and_history(schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>) {
    let schema = |value: Value| serde_json::from_value::<RefOr<Schema>>(value);
    let Some(Ok(Value::Object(item))) = schemas.get("FeedItem").map(serde_json::to_value) else {
        return;
    };
    let variants = [
        ("platform", "PlatformChange", vec!["PlatformResponse"]),
        ("contact", "ContactChange", vec!["ContactResponse"]),
        ("ministry", "MinistryChange", vec!["MinistryResponse"]),
        (
            "list",
            "ListChange",
            vec!["ListEditionState", "ListMembershipState"],
        ),
        ("adoption", "AdoptionChange", vec!["AdoptionResponse"]),
        ("decision", "DecisionChange", vec!["DecisionResponse"]),
    ];
    let mut added: Vec<(String, Value)> = vec![
        (
            "ListEditionState".into(),
            json!({
                "type": "object",
                "description": "A list edition as the feed records it.",
                "required": ["key", "document", "title_vi", "title_en", "issued_on", "source"],
                "properties": {
                    "key": {"type": "string", "description": "The edition's key."},
                    "document": {"type": "string", "description": "The document's number."},
                    "title_vi": {"type": "string", "description": "Its Vietnamese title."},
                    "title_en": {"type": "string", "description": "Its English title."},
                    "issued_on": {"type": "string", "format": "date", "description": "When it was issued."},
                    "declared_total": {"type": ["integer", "null"], "format": "int32", "description": "How many platforms it declares."},
                    "source": {"type": "string", "description": "Where it was published."}
                }
            }),
        ),
        (
            "ListMembershipState".into(),
            json!({
                "type": "object",
                "description": "A platform's membership of a list edition (key `list-key/platform-code`).",
                "required": ["list", "platform"],
                "properties": {
                    "list": {"type": "string", "description": "The edition's key."},
                    "platform": {"type": "string", "description": "The platform's code."}
                }
            }),
        ),
    ];
    let mut mapping = Map::new();
    let mut one_of = Vec::new();
    for (entity, name, states) in variants {
        let mut state: Vec<Value> = states
            .iter()
            .map(|s| json!({"$ref": format!("#/components/schemas/{s}")}))
            .collect();
        state.push(json!({"type": "null"}));
        let mut variant = item.clone();
        variant["description"] = json!(format!("A change to a {entity}, with the state it left."));
        variant["properties"]["entity"] = json!({"type": "string", "enum": [entity]});
        variant["properties"]["state"] = json!({
            "oneOf": state,
            "description": "The full representation after the change (as `GET` returns it); `null` is a tombstone: the entity no longer exists."
        });
        let reference = format!("#/components/schemas/{name}");
        mapping.insert(entity.into(), json!(reference));
        one_of.push(json!({"$ref": reference}));
        added.push((name.into(), Value::Object(variant)));
    }
    added.push((
        "FeedItem".into(),
        json!({
            "description": "One change, with the state it left: one variant per `entity`.",
            "oneOf": one_of,
            "discriminator": {"propertyName": "entity", "mapping": mapping}
        }),
    ));
    for (name, value) in added {
        if let Ok(parsed) = schema(value) {
            schemas.insert(name, parsed);
        }
    }
    let any = |description: &str| {
        ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .description(Some(description))
    };
    schemas.insert(
        "FieldChange".into(),
        ObjectBuilder::new()
            .description(Some(
                "A field's value before and after a change (`null` where it had none).",
            ))
            .property("old", any("The value before."))
            .required("old")
            .property("new", any("The value after."))
            .required("new")
            .into(),
    );
    if let Some(RefOr::T(Schema::Object(entry))) = schemas.get_mut("HistoryEntry")
        && let Ok(changes) = schema(json!({
            "type": "object",
            "description": "The fields that changed, each with its old and new value.",
            "additionalProperties": {"$ref": "#/components/schemas/FieldChange"}
        }))
    {
        entry.properties.insert("changes".into(), changes);
    }
}

/// Drops the component schemas that nothing refers to (a create's input, copied flat into the
/// create's own schema, when no replacement uses it).
fn drop_unused_schemas(api: &mut OpenApi) {
    loop {
        let Ok(text) = serde_json::to_string(&*api) else {
            return;
        };
        let Some(components) = api.components.as_mut() else {
            return;
        };
        let unused: Vec<String> = components
            .schemas
            .keys()
            .filter(|name| !text.contains(&format!("\"#/components/schemas/{name}\"")))
            .filter(|name| !matches!(name.as_str(), "Problem" | "FieldError"))
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        for name in unused {
            components.schemas.remove(&name);
        }
    }
}

fn apply_to_operation(method: &str, operation: &mut Map<String, Value>) {
    operation.entry("security").or_insert_with(|| json!([]));
    // A handler documented in one sentence has a summary only; linters want a description too.
    if operation.get("description").is_none()
        && let Some(summary) = operation.get("summary").cloned()
    {
        operation.insert("description".into(), summary);
    }
    if method == "get"
        && operation
            .get("responses")
            .is_some_and(|r| r.get("304").is_some())
    {
        declare_if_none_match(operation);
    }
    for parameter in operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        describe_example(parameter);
    }
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        for (status, response) in responses.iter_mut() {
            if let Some(media) = response
                .pointer_mut("/content/application~1problem+json")
                .and_then(Value::as_object_mut)
                && let Ok(status) = status.parse::<u16>()
            {
                media
                    .entry("example")
                    .or_insert_with(|| problem_example(status));
            }
        }
    }
}

fn declare_if_none_match(operation: &mut Map<String, Value>) {
    let parameters = operation.entry("parameters").or_insert_with(|| json!([]));
    let Some(parameters) = parameters.as_array_mut() else {
        return;
    };
    if parameters.iter().any(|p| {
        p["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case("if-none-match"))
    }) {
        return;
    }
    parameters.push(json!({
        "name": "If-None-Match",
        "in": "header",
        "required": false,
        "description": "The `ETag` of the representation you hold: if it is still current, the answer is 304 with no body.",
        "schema": {"type": "string"}
    }));
}

fn describe_example(parameter: &mut Value) {
    let Some(parameter) = parameter.as_object_mut() else {
        return;
    };
    if parameter.get("in").and_then(Value::as_str) != Some("query") {
        return;
    }
    let Some(example) = parameter.remove("example") else {
        return;
    };
    let shown = match &example {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let description = parameter
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_end()
        .to_owned();
    parameter.insert(
        "description".into(),
        Value::String(format!("{description}\n\nExample: `{shown}`.")),
    );
}

/// A problem body as the service sends it for `status`.
fn problem_example(status: u16) -> Value {
    let (code, detail, errors) = match status {
        400 => (
            "invalid_parameter",
            "Query parameter `per_page`: must be between 1 and 100.",
            json!([{"field": "per_page", "message": "must be between 1 and 100"}]),
        ),
        401 => (
            "invalid_token",
            "The bearer token has expired.",
            json!(null),
        ),
        403 => (
            "wrong_ministry",
            "This token writes for BTC; the platform belongs to BCA.",
            json!(null),
        ),
        404 => (
            "not_found",
            "No platform has the code \"vneid2\".",
            json!(null),
        ),
        408 => (
            "body_timeout",
            "The request body did not arrive in time.",
            json!(null),
        ),
        409 => (
            "platform_exists",
            "A platform with the code \"qlvb-btc\" already exists.",
            json!(null),
        ),
        412 => (
            "precondition_failed",
            "The resource changed since the ETag in If-Match was read; read it again.",
            json!(null),
        ),
        413 => (
            "payload_too_large",
            "The request body is larger than 65536 bytes.",
            json!(null),
        ),
        415 => (
            "unsupported_media_type",
            "Send the body as application/json.",
            json!(null),
        ),
        422 => (
            "validation_failed",
            "The body has 1 invalid field.",
            json!([{"field": "name_vi", "message": "must be 2 to 300 characters"}]),
        ),
        429 => (
            "rate_limited",
            "Too many requests from this address; retry after 12 seconds.",
            json!(null),
        ),
        503 => (
            "database_unavailable",
            "The registry's database is not answering; retry shortly.",
            json!(null),
        ),
        _ => (
            "internal_error",
            "The registry failed to answer this request; the failure has been logged.",
            json!(null),
        ),
    };
    let title = crate::error::ProblemCode::from_code(code).map_or("Error", |c| c.title());
    let mut example = json!({
        "type": format!("urn:ndp-registry:problem:{code}"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": "6f1c2a0e-5b7d-4c1e-9a51-2f0c3b8d9e47"
    });
    if !errors.is_null() {
        example["errors"] = errors;
    }
    example
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_example_has_its_own_status_and_a_title() {
        for status in [400, 401, 403, 404, 409, 412, 422, 429, 503] {
            let example = problem_example(status);
            assert_eq!(example["status"], status);
            assert!(
                example["type"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with(example["code"].as_str().unwrap_or("?"))
            );
            assert_ne!(example["title"], "Error");
        }
    }
}
