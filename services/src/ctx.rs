//! Who a use-case runs for, and through which entry point.

use chrono_tz::Tz;
use maigie_domain::Tier;
use uuid::Uuid;

/// The entry point a use-case was reached through (recorded in audit entries and
/// action logs; the rules are the same for every source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Rest,
    Chat,
    Mcp,
    Voice,
    Workflow,
}

impl Source {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rest => "rest",
            Self::Chat => "chat",
            Self::Mcp => "mcp",
            Self::Voice => "voice",
            Self::Workflow => "workflow",
        }
    }
}

/// The caller of a use-case: an authenticated user, their tier as the credential
/// says, the entry point and the request id (for logs and audit entries).
///
/// The user's time zone is carried only when the entry point read it with the tier
/// (the agent's turns, tool calls and MCP calls read both in one query, at the start
/// of the call); otherwise the use-case that needs it reads it
/// ([`crate::Services::zone_for`]).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user_id: Uuid,
    pub tier: Tier,
    pub source: Source,
    pub request_id: Option<String>,
    pub zone: Option<Tz>,
}

impl Ctx {
    #[must_use]
    pub fn new(user_id: Uuid, tier: Tier, source: Source) -> Self {
        Self {
            user_id,
            tier,
            source,
            request_id: None,
            zone: None,
        }
    }

    /// The same caller through another entry point.
    #[must_use]
    pub fn with_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// The user's time zone, as read with their tier.
    #[must_use]
    pub fn with_zone(mut self, zone: Tz) -> Self {
        self.zone = Some(zone);
        self
    }

    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }
}
