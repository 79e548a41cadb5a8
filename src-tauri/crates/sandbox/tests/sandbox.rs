//! The sandbox's Graph and Bot Framework endpoints as a client meets them: over HTTP on
//! 127.0.0.1, with Microsoft's paths, bodies, errors and limits (signing in: `sign_in.rs`).

mod common;

use common::*;

#[tokio::test]
async fn graph_demands_each_endpoints_permission() {
    let sandbox = sandbox().await;
    let (verifier, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        "openid offline_access User.Read",
        &challenge,
        ADELE,
        "accept",
        false,
    )
    .await;
    let (_, body) = token(
        sandbox.url(),
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", get(&query, "code").unwrap()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    let at = body["access_token"].as_str().unwrap();
    let me = client()
        .get(format!("{}/v1.0/me", sandbox.url()))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let teams = client()
        .get(format!("{}/v1.0/me/joinedTeams", sandbox.url()))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(teams.status(), 403);
    let error: Value = teams.json().await.unwrap();
    assert_eq!(error["error"]["code"], "Forbidden");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Team.ReadBasic.All")
    );
    assert!(error["error"]["innerError"]["request-id"].is_string());
    let none = client()
        .get(format!("{}/v1.0/me", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
}

#[tokio::test]
async fn people_search_needs_eventual_consistency_and_pages_by_next_link() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::large(1, 5_000, 20)), 0)
        .await
        .unwrap();
    let tokens = admin_tokens_large(&sandbox).await;
    let at = tokens.as_str();
    let plain = client()
        .get(format!(
            "{}/v1.0/users?$search=\"displayName:ada\"",
            sandbox.url()
        ))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 400);
    let (status, page) = graph(
        &sandbox,
        at,
        "/users?$search=\"displayName:ada\"&$top=10&$count=true&$select=id,displayName",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let total = page["@odata.count"].as_u64().unwrap();
    assert!(total > 10);
    assert!(
        page["value"][0].get("mail").is_none(),
        "$select keeps only what was asked"
    );
    let mut seen = page["value"].as_array().unwrap().len() as u64;
    let mut next = page["@odata.nextLink"].as_str().map(str::to_string);
    while let Some(link) = next {
        let response: Value = client()
            .get(&link)
            .bearer_auth(at)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen += response["value"].as_array().unwrap().len() as u64;
        next = response["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(seen, total);
    let (status, _) = graph(&sandbox, at, "/users?$top=1000").await;
    assert_eq!(status, 400);
}

async fn admin_tokens_large(sandbox: &Sandbox) -> String {
    let admin = sandbox.world().lock().await.tenant.users[0].upn.clone();
    let (verifier, challenge) = pkce();
    let query = sign_in(
        sandbox.url(),
        SEED_SCOPES,
        &challenge,
        &admin,
        "accept",
        true,
    )
    .await;
    let (_, body) = token(
        sandbox.url(),
        &[
            ("client_id", CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", get(&query, "code").unwrap()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    body["access_token"].as_str().unwrap().to_string()
}

fn card_message(text: &str) -> Value {
    let card = json!({ "type": "AdaptiveCard", "version": "1.5", "body": [{ "type": "TextBlock", "text": text, "wrap": true }] });
    json!({
        "body": { "contentType": "html", "content": "<attachment id=\"card1\"></attachment>" },
        "attachments": [{ "id": "card1", "contentType": "application/vnd.microsoft.card.adaptive", "content": card.to_string() }]
    })
}

#[tokio::test]
async fn chats_and_channels_receive_messages_that_the_sandbox_shows() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let http = client();
    let base = sandbox.url();
    let adele_id = sandbox.world().lock().await.tenant.users[1].id.clone();
    let new_chat = json!({
        "chatType": "oneOnOne",
        "members": [
            { "@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"], "user@odata.bind": format!("https://graph.microsoft.com/v1.0/users('{ADMIN}')") },
            { "@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"], "user@odata.bind": format!("https://graph.microsoft.com/v1.0/users('{adele_id}')") },
        ]
    });
    let chat: Value = http
        .post(format!("{base}/v1.0/chats"))
        .bearer_auth(at)
        .json(&new_chat)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chat_id = chat["id"].as_str().unwrap();
    assert!(
        chat_id.ends_with("@unq.gbl.spaces"),
        "the existing one-on-one chat comes back"
    );
    let sent = http
        .post(format!("{base}/v1.0/chats/{chat_id}/messages"))
        .bearer_auth(at)
        .json(&card_message("SQL injection in /login"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["chatId"], chat_id);
    assert_eq!(
        sent["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );

    let (team_id, channel_id) = {
        let world = sandbox.world().lock().await;
        let team = &world.tenant.teams[0];
        (team.id.clone(), team.channels[1].id.clone())
    };
    let posted = http
        .post(format!(
            "{base}/v1.0/teams/{team_id}/channels/{channel_id}/messages"
        ))
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "plain text alert" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);

    let seen: Value = http
        .get(format!("{base}/_sandbox/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["chats"].as_array().unwrap().len(), 1);
    assert_eq!(seen["chats"][0]["messages"][0]["message"]["id"], sent["id"]);
    assert_eq!(seen["channels"][0]["channelName"], "Alerts");
    assert_eq!(
        seen["channels"][0]["messages"][0]["message"]["body"]["content"],
        "plain text alert"
    );

    // The rest checks content, not pace.
    http.post(format!("{base}/_sandbox/throttling"))
        .json(&json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    // A card not referenced from the body is refused, as Graph does.
    let mut broken = card_message("x");
    broken["body"]["content"] = json!("no attachment tag");
    let refused = http
        .post(format!("{base}/v1.0/chats/{chat_id}/messages"))
        .bearer_auth(at)
        .json(&broken)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    // Too big.
    let huge = card_message(&"A".repeat(30_000));
    let refused = http
        .post(format!("{base}/v1.0/chats/{chat_id}/messages"))
        .bearer_auth(at)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
}

#[tokio::test]
async fn one_post_per_second_per_chat_then_429_with_retry_after() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let chat_id = sandbox.world().lock().await.tenant.chats[0].id.clone();
    let url = format!("{}/v1.0/chats/{chat_id}/messages", sandbox.url());
    let first = client()
        .post(&url)
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "one" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let second = client()
        .post(&url)
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "two" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "1");
    let error: Value = second.json().await.unwrap();
    assert_eq!(error["error"]["code"], "TooManyRequests");
}

#[tokio::test]
async fn deleted_channels_and_injected_faults() {
    let sandbox = sandbox().await;
    let base = sandbox.url();
    let body = admin_tokens(base).await;
    let at = body["access_token"].as_str().unwrap();
    let (team_id, channel_id) = {
        let world = sandbox.world().lock().await;
        (
            world.tenant.teams[0].id.clone(),
            world.tenant.teams[0].channels[1].id.clone(),
        )
    };
    let http = client();
    http.post(format!("{base}/_sandbox/faults")).json(&json!({ "method": "GET", "path": "/v1.0/me", "status": 503, "count": 2, "retry_after": 3 })).send().await.unwrap();
    for _ in 0..2 {
        let failed = http
            .get(format!("{base}/v1.0/me"))
            .bearer_auth(at)
            .send()
            .await
            .unwrap();
        assert_eq!(failed.status(), 503);
        assert_eq!(failed.headers()["retry-after"], "3");
    }
    assert_eq!(
        http.get(format!("{base}/v1.0/me"))
            .bearer_auth(at)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    http.delete(format!(
        "{base}/_sandbox/teams/{team_id}/channels/{channel_id}"
    ))
    .send()
    .await
    .unwrap();
    let gone = http
        .post(format!(
            "{base}/v1.0/teams/{team_id}/channels/{channel_id}/messages"
        ))
        .bearer_auth(at)
        .json(&json!({ "body": { "content": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    let log: Value = http
        .get(format!("{base}/_sandbox/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<u64> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/v1.0/me")
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert!(!log.to_string().contains(at), "the log never holds a token");
}

#[tokio::test]
async fn batch_runs_up_to_twenty_requests_with_their_own_statuses() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let batch = json!({ "requests": [
        { "id": "1", "method": "GET", "url": "/me?$select=id,displayName" },
        { "id": "2", "method": "GET", "url": "/me/joinedTeams", "dependsOn": ["1"] },
        { "id": "3", "method": "GET", "url": "/teams/nope/channels" },
        { "id": "4", "method": "GET", "url": "/me", "dependsOn": ["3"] },
    ]});
    let answer: Value = client()
        .post(format!("{}/v1.0/$batch", sandbox.url()))
        .bearer_auth(at)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = |id: &str| {
        answer["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (status("1"), status("2"), status("3"), status("4")),
        (200, 200, 404, 424)
    );
    let too_many = json!({ "requests": (0..21).map(|i| json!({ "id": i.to_string(), "method": "GET", "url": "/me" })).collect::<Vec<_>>() });
    let refused = client()
        .post(format!("{}/v1.0/$batch", sandbox.url()))
        .bearer_auth(at)
        .json(&too_many)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

async fn bot_token(base: &str, secret: &str) -> (StatusCode, Value) {
    token(
        base,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", tenant::DEFAULT_BOT_APP_ID),
            ("client_secret", secret),
            ("scope", "https://api.botframework.com/.default"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_bot_starts_conversations_only_where_it_is_installed() {
    let sandbox = sandbox().await;
    let base = sandbox.url();
    let (status, wrong) = bot_token(base, "not-the-secret").await;
    assert_eq!(status, 401);
    assert_eq!(wrong["error_codes"][0], 7000215);
    let (_, body) = bot_token(base, tenant::DEFAULT_BOT_SECRET).await;
    let at = body["access_token"].as_str().unwrap();
    let (tenant_id, adele, team_id, channel_id) = {
        let world = sandbox.world().lock().await;
        (
            world.tenant.id.clone(),
            world.tenant.users[1].id.clone(),
            world.tenant.teams[0].id.clone(),
            world.tenant.teams[0].channels[1].id.clone(),
        )
    };
    let http = client();
    let conversation: Value = http
        .post(format!("{base}/v3/conversations"))
        .bearer_auth(at)
        .json(&json!({
            "bot": { "id": format!("28:{}", tenant::DEFAULT_BOT_APP_ID) }, "isGroup": false,
            "members": [{ "id": adele }], "channelData": { "tenant": { "id": tenant_id } },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation_id = conversation["id"].as_str().unwrap();
    let sent = http.post(format!("{base}/v3/conversations/{conversation_id}/activities")).bearer_auth(at).json(&json!({
        "type": "message", "text": "New critical issue",
        "attachments": [{ "contentType": "application/vnd.microsoft.card.adaptive", "content": { "type": "AdaptiveCard", "version": "1.5", "body": [] } }],
    })).send().await.unwrap();
    assert_eq!(sent.status(), 201);
    assert!(sent.json::<Value>().await.unwrap()["id"].is_string());

    let thread = http.post(format!("{base}/v3/conversations")).bearer_auth(at).json(&json!({
        "isGroup": true, "bot": { "id": format!("28:{}", tenant::DEFAULT_BOT_APP_ID) },
        "channelData": { "tenant": { "id": tenant_id }, "team": { "id": team_id }, "channel": { "id": channel_id } },
        "activity": { "type": "message", "text": "Thread root" },
    })).send().await.unwrap();
    assert_eq!(thread.status(), 201);
    let thread: Value = thread.json().await.unwrap();
    assert!(thread["id"].as_str().unwrap().contains(";messageid="));

    let no_type = http
        .post(format!(
            "{base}/v3/conversations/{conversation_id}/activities"
        ))
        .bearer_auth(at)
        .json(&json!({ "text": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(no_type.status(), 400);

    http.post(format!("{base}/_sandbox/users/{adele}/uninstall-app"))
        .send()
        .await
        .unwrap();
    let blocked = http
        .post(format!(
            "{base}/v3/conversations/{conversation_id}/activities"
        ))
        .bearer_auth(at)
        .json(&json!({ "type": "message", "text": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 403);
    let refused = http.post(format!("{base}/v3/conversations")).bearer_auth(at).json(&json!({
        "bot": { "id": tenant::DEFAULT_BOT_APP_ID }, "members": [{ "id": adele }], "channelData": { "tenant": { "id": tenant_id } },
    })).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"]["code"],
        "ForbiddenOperationException"
    );

    let seen: Value = http
        .get(format!("{base}/_sandbox/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["bot"][0]["messages"].as_array().unwrap().len(), 1);
    assert_eq!(seen["channels"][0]["messages"][0]["via"], "bot");
}

/// Graph's schemas are OpenAPI 3.0: `nullable: true` becomes a `null` type for JSON Schema.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(kind)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([kind, "null"]));
                }
                if map.contains_key("$ref")
                    || map.contains_key("allOf")
                    || map.contains_key("anyOf")
                {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                }
            }
            for child in map.values_mut() {
                to_json_schema(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

fn graph_validator(schema_name: &str) -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures/graph/graph-v1.0-teams-subset.slim.openapi.json"
    );
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut components = document["components"].clone();
    to_json_schema(&mut components);
    let schema =
        json!({ "$ref": format!("#/components/schemas/{schema_name}"), "components": components });
    jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .unwrap()
}

#[tokio::test]
async fn responses_validate_against_microsofts_graph_schemas() {
    let sandbox = sandbox().await;
    let body = admin_tokens(sandbox.url()).await;
    let at = body["access_token"].as_str().unwrap();
    let team_id = sandbox.world().lock().await.tenant.teams[0].id.clone();
    let chat_id = sandbox.world().lock().await.tenant.chats[0].id.clone();
    let sent: Value = client()
        .post(format!("{}/v1.0/chats/{chat_id}/messages", sandbox.url()))
        .bearer_auth(at)
        .json(&card_message("hello"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cases = [
        ("microsoft.graph.user", graph(&sandbox, at, "/me").await.1),
        (
            "microsoft.graph.userCollectionResponse",
            graph(&sandbox, at, "/users?$top=5").await.1,
        ),
        (
            "microsoft.graph.teamCollectionResponse",
            graph(&sandbox, at, "/me/joinedTeams").await.1,
        ),
        (
            "microsoft.graph.channelCollectionResponse",
            graph(&sandbox, at, &format!("/teams/{team_id}/channels"))
                .await
                .1,
        ),
        (
            "microsoft.graph.chatCollectionResponse",
            graph(&sandbox, at, "/me/chats?$expand=members").await.1,
        ),
        ("microsoft.graph.chatMessage", sent),
    ];
    for (name, instance) in cases {
        let validator = graph_validator(name);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{instance:#}");
    }
}
