//! Built-in middlebox presets (INTERFACE STUB: to be implemented).

use std::time::Duration;

use crate::manifest::OnIdle;

/// One middlebox's documented idle behaviour.
#[derive(Clone, Debug)]
pub struct Preset {
    /// Stable id, e.g. `aws-nlb`.
    pub id: String,
    /// Display name, e.g. `AWS Network Load Balancer (TCP listener)`.
    pub name: String,
    /// Documented default idle timeout; `None` when the sources disagree or
    /// it is unconfirmed (then the user must give one).
    pub idle_timeout: Option<Duration>,
    /// Documented configurable range (inclusive); `None` = not configurable or unconfirmed.
    pub range: Option<(Duration, Duration)>,
    /// What happens at expiry; `None` = unconfirmed.
    pub on_idle: Option<OnIdle>,
    /// Whether TCP keepalive probes count as activity.
    pub keepalive_resets: bool,
    /// Source URLs of the facts.
    pub sources: Vec<String>,
    /// What is unconfirmed or disputed, said in diagnostics and `presets`.
    pub caveat: Option<String>,
}

/// Every preset, in id order.
pub fn all() -> Vec<Preset> {
    Vec::new()
}

/// The preset with id `id`.
pub fn find(id: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.id == id)
}

/// Why a manifest value does not fit a preset (STUB).
#[derive(Clone, Debug, thiserror::Error)]
pub enum PresetError {
    /// Placeholder.
    #[error("presets are not built yet")]
    NotBuilt,
}

/// The idle timeout to use for `preset`, given the manifest's value (STUB).
pub fn apply(preset: &Preset, idle_timeout: Option<Duration>) -> Result<Duration, PresetError> {
    idle_timeout
        .or(preset.idle_timeout)
        .ok_or(PresetError::NotBuilt)
}
