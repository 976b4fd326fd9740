-- Schedule generation calls the model to explain a draft: its tokens are recorded in
-- token_usage under their own kind (issue 12: limits that count).
ALTER TABLE token_usage DROP CONSTRAINT token_usage_kind_check;
ALTER TABLE token_usage ADD CONSTRAINT token_usage_kind_check
    CHECK (kind IN ('chat', 'embedding', 'stt', 'tts', 'schedule_generation'));
