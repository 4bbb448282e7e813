// The diesel view of the tables created by `migrations/`. Kept in the shape `diesel print-schema`
// emits; the test `schema_matches_the_migrated_database` fails when the two drift apart.

diesel::table! {
    adoptions (id) {
        id -> Int8,
        province_code -> Text,
        platform_id -> Int8,
        status -> Text,
        since -> Date,
        local_system -> Nullable<Text>,
        note -> Nullable<Text>,
        evidence_url -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (jti) {
        jti -> Text,
        subject -> Text,
        ministry_code -> Nullable<Text>,
        scopes -> Array<Text>,
        label -> Nullable<Text>,
        issued_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        province_code -> Nullable<Text>,
    }
}

diesel::table! {
    change_log (id) {
        id -> Int8,
        tx -> Int8,
        at -> Timestamptz,
        entity -> Text,
        entity_key -> Text,
        platform_id -> Nullable<Int8>,
        action -> Text,
        changes -> Jsonb,
        actor_sub -> Text,
        actor_ministry -> Nullable<Text>,
        actor_jti -> Nullable<Text>,
        seq -> Nullable<Int8>,
        version -> Nullable<Int4>,
        state -> Nullable<Jsonb>,
        actor_province -> Nullable<Text>,
    }
}

diesel::table! {
    contacts (id) {
        id -> Int8,
        platform_id -> Int8,
        role -> Text,
        name -> Text,
        unit -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        url -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    feed_clock (id) {
        id -> Int2,
        seq -> Int8,
    }
}

diesel::table! {
    idempotency_keys (token_id, key) {
        actor_sub -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Int2,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamptz,
        token_id -> Text,
    }
}

diesel::table! {
    list_declared_counts (list_key, ministry_code) {
        list_key -> Text,
        ministry_code -> Text,
        declared_count -> Int4,
    }
}

diesel::table! {
    list_editions (key) {
        key -> Text,
        document -> Text,
        title_vi -> Text,
        title_en -> Text,
        issued_on -> Date,
        declared_total -> Nullable<Int4>,
        source -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    list_memberships (list_key, platform_id) {
        list_key -> Text,
        platform_id -> Int8,
        source -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    ministries (code) {
        code -> Text,
        code_vi -> Text,
        name_vi -> Text,
        name_en -> Text,
        abbr_en -> Nullable<Text>,
        kind -> Text,
        agency_id -> Nullable<Text>,
        agency_id_confidence -> Nullable<Text>,
        status -> Text,
        successor_code -> Nullable<Text>,
        succeeded_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    overlap_checks (id) {
        id -> Uuid,
        created_at -> Timestamptz,
        verdict -> Text,
        request -> Jsonb,
        response -> Text,
        plan_text -> Text,
        requester_province -> Nullable<Text>,
    }
}

diesel::table! {
    overlap_feedback (id) {
        id -> Int8,
        check_id -> Uuid,
        platform -> Text,
        judgement -> Text,
        note -> Nullable<Text>,
        judged_by -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    overlap_decisions (check_id) {
        check_id -> Uuid,
        province_code -> Text,
        decision -> Text,
        platform_id -> Nullable<Int8>,
        justification -> Nullable<Text>,
        decided_at -> Timestamptz,
        decided_by -> Text,
    }
}

diesel::table! {
    platform_ownerships (id) {
        id -> Int8,
        platform_id -> Int8,
        ministry_code -> Text,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    platforms (id) {
        id -> Int8,
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        short_name -> Nullable<Text>,
        description -> Text,
        ministry_code -> Text,
        operator -> Nullable<Text>,
        domains -> Array<Text>,
        audiences -> Array<Text>,
        status -> Text,
        url -> Nullable<Text>,
        ndxp_status -> Text,
        legal_basis_number -> Nullable<Text>,
        legal_basis_date -> Nullable<Date>,
        source -> Nullable<Text>,
        confidence -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        profile -> Jsonb,
        search_text -> Text,
    }
}

diesel::table! {
    province_predecessors (province_code, position) {
        province_code -> Text,
        position -> Int2,
        name_vi -> Text,
        folded -> Text,
    }
}

diesel::table! {
    provinces (code) {
        code -> Text,
        name_vi -> Text,
        kind -> Text,
        formed_on -> Nullable<Date>,
        name_folded -> Text,
        source -> Text,
        confidence -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        subscription_id -> Int8,
        change_id -> Int8,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Int8,
        url -> Text,
        secret -> Text,
        ministry -> Nullable<Text>,
        domain -> Nullable<Text>,
        events -> Nullable<Array<Text>>,
        active -> Bool,
        created_at -> Timestamptz,
        created_by -> Text,
    }
}

diesel::joinable!(adoptions -> platforms (platform_id));
diesel::joinable!(adoptions -> provinces (province_code));
diesel::joinable!(api_tokens -> ministries (ministry_code));
diesel::joinable!(api_tokens -> provinces (province_code));
diesel::joinable!(change_log -> platforms (platform_id));
diesel::joinable!(contacts -> platforms (platform_id));
diesel::joinable!(list_declared_counts -> list_editions (list_key));
diesel::joinable!(list_declared_counts -> ministries (ministry_code));
diesel::joinable!(list_memberships -> list_editions (list_key));
diesel::joinable!(list_memberships -> platforms (platform_id));
diesel::joinable!(overlap_feedback -> overlap_checks (check_id));
diesel::joinable!(overlap_decisions -> overlap_checks (check_id));
diesel::joinable!(overlap_decisions -> platforms (platform_id));
diesel::joinable!(overlap_decisions -> provinces (province_code));
diesel::joinable!(platform_ownerships -> ministries (ministry_code));
diesel::joinable!(platform_ownerships -> platforms (platform_id));
diesel::joinable!(platforms -> ministries (ministry_code));
diesel::joinable!(province_predecessors -> provinces (province_code));
diesel::joinable!(webhook_deliveries -> change_log (change_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_subscriptions -> ministries (ministry));

diesel::allow_tables_to_appear_in_same_query!(
    adoptions,
    api_tokens,
    change_log,
    contacts,
    feed_clock,
    idempotency_keys,
    list_declared_counts,
    list_editions,
    list_memberships,
    ministries,
    overlap_checks,
    overlap_feedback,
    overlap_decisions,
    platform_ownerships,
    platforms,
    province_predecessors,
    provinces,
    webhook_deliveries,
    webhook_subscriptions,
);
