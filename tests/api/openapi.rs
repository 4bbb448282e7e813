use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_served_document_is_the_checked_in_one() {
    let app = spawn_app().await;
    let served = app.get_json("/api/v1/openapi.json").await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let checked_in: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        served == checked_in,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json` and review the diff"
    );
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[tokio::test]
async fn every_operation_is_described_with_its_error_answers() {
    let document = serde_json::to_value(ndp_registry::startup::openapi()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 10);
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has no tag"
            );
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{name} {status}"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{name} {status} must be problem+json"
                    );
                }
            }
            if path.starts_with("/api/v1/") && path != "/api/v1/vocabularies" {
                assert!(responses.contains_key("503"), "{name} must document 503");
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                assert!(
                    parameter["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{name} parameter {} has no description",
                    parameter["name"]
                );
            }
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_without_network_access() {
    let app = spawn_app().await;
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    let config = app.get("/swagger-ui/swagger-initializer.js").await;
    assert_eq!(config.status(), 200);
    assert!(
        config
            .text()
            .await
            .unwrap()
            .contains("/api/v1/openapi.json")
    );
}

#[tokio::test]
async fn documented_vocabularies_are_the_codes_the_api_sends() {
    use ndp_registry::domain::{
        AdoptionStatus, Audience, ContactRole, DecisionKind, Domain, MinistryKind, MinistryStatus,
        NdxpStatus, PlatformStatus, SourceConfidence, Vocabulary,
    };
    let document = serde_json::to_value(ndp_registry::startup::openapi()).unwrap();
    let schemas = &document["components"]["schemas"];
    let check = |name: &str, codes: Vec<&str>| {
        let documented: Vec<&str> = schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(documented, codes, "{name}");
    };
    check("Domain", Domain::codes());
    check("Audience", Audience::codes());
    check("PlatformStatus", PlatformStatus::codes());
    check("NdxpStatus", NdxpStatus::codes());
    check("SourceConfidence", SourceConfidence::codes());
    check("ContactRole", ContactRole::codes());
    check("MinistryKind", MinistryKind::codes());
    check("MinistryStatus", MinistryStatus::codes());
    check("AdoptionStatus", AdoptionStatus::codes());
    check("DecisionKind", DecisionKind::codes());
    // Every rule named in a `pattern` attribute was expanded into its regular expression.
    assert!(
        !document.to_string().contains("\"pattern\":\"{"),
        "a pattern rule was not expanded"
    );
    // Every $ref resolves.
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.get(name).is_some(),
            "unresolvable reference to {name}"
        );
    }
}

#[tokio::test]
async fn the_documented_thresholds_are_the_ones_the_verdict_uses() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    let thresholds = &doc["components"]["schemas"]["Thresholds"]["properties"];
    let likely = ndp_registry::domain::search::LIKELY_DUPLICATE;
    let possible = ndp_registry::domain::search::POSSIBLE_OVERLAP;
    assert_eq!(
        thresholds["likely_duplicate"]["example"].as_f64(),
        Some((f64::from(likely) * 100.0).round() / 100.0)
    );
    assert_eq!(
        thresholds["possible_overlap"]["example"].as_f64(),
        Some((f64::from(possible) * 100.0).round() / 100.0)
    );
}

/// A property's rule, without its words: what a generated client validates.
fn rule(property: &Value) -> Value {
    let mut out = property.clone();
    if let Some(map) = out.as_object_mut() {
        for words in ["description", "example", "examples", "default"] {
            map.remove(words);
        }
        // A patch may send `null` to clear what the full body may leave out: same rule otherwise.
        if let Some(Value::Array(types)) = map.get("type") {
            let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            map.insert(
                "type".into(),
                match kept.as_slice() {
                    [one] => one.clone(),
                    _ => Value::Array(kept),
                },
            );
        }
        if let Some(Value::Array(options)) = map.get("oneOf") {
            let kept: Vec<Value> = options
                .iter()
                .filter(|o| o.get("type").is_none_or(|t| t != "null"))
                .map(rule)
                .collect();
            if let [one] = kept.as_slice() {
                return one.clone();
            }
        }
    }
    out
}

#[test]
fn every_patch_schema_states_the_rules_of_its_input() {
    let document = serde_json::to_value(ndp_registry::startup::openapi()).unwrap();
    let schemas = &document["components"]["schemas"];
    for (patch, input) in [
        ("PlatformPatch", "NewPlatformInput"),
        ("LegalBasisPatch", "LegalBasisInput"),
        ("ContactPatch", "ContactInput"),
        ("MinistryPatch", "NewMinistryInput"),
    ] {
        let patch_properties = schemas[patch]["properties"].as_object().unwrap();
        let input_properties = schemas[input]["properties"].as_object().unwrap();
        assert!(!patch_properties.is_empty(), "{patch}");
        for (name, property) in patch_properties {
            let Some(full) = input_properties.get(name) else {
                panic!("{patch}.{name} is not a field of {input}");
            };
            // A nested patch is checked as its own pair.
            if property.to_string().contains("Patch") {
                continue;
            }
            assert_eq!(rule(property), rule(full), "{patch}.{name} against {input}");
        }
    }
}
