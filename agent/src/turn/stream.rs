//! Streaming a model turn's text to the user as `chat.delta` events.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Text on its way to the user: buffered, sent as `chat.delta` every 150 ms.
pub(super) struct Stream<'a> {
    agent: &'a Agent,
    input: &'a TurnInput,
    conversation_id: uuid::Uuid,
    /// (text not sent yet, whether the client must discard what it has)
    pub(super) buffer: Arc<Mutex<(String, bool)>>,
}

impl<'a> Stream<'a> {
    pub(super) fn new(agent: &'a Agent, input: &'a TurnInput, conversation_id: uuid::Uuid) -> Self {
        Self {
            agent,
            input,
            conversation_id,
            buffer: Arc::new(Mutex::new((String::new(), false))),
        }
    }

    pub(super) fn push(&self, text: &str) {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .push_str(text);
    }

    pub(super) fn reset(&self) {
        let mut b = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        b.0.clear();
        b.1 = true;
    }

    pub(super) async fn flush(&self) {
        let (text, reset) = {
            let mut b = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
            (std::mem::take(&mut b.0), std::mem::replace(&mut b.1, false))
        };
        if text.is_empty() && !reset {
            return;
        }
        let data = ChatDelta {
            action_id: self.input.action_id,
            conversation_id: self.conversation_id,
            turn: self.input.turn,
            text,
            reset,
        };
        self.agent
            .publish(self.input.user_id, EventKind::ChatDelta, &data)
            .await;
    }
}
