//! Local text to speech with Debian's `espeak-ng`: no key, no network, ~70 ms a sentence.
//!
//! The text goes to the process on stdin (`--stdin`), never on a command line or through
//! a shell, so nothing in it can be read as an option; the voice name is checked against
//! a strict pattern for the same reason. The WAV is written to a file of its own (`-w`):
//! `--stdout` writes a streaming header with a bogus size. A process that overruns its
//! timeout is killed (`kill_on_drop`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::format::{AudioFormat, WavInfo};
use crate::{Speech, TextToSpeech, VoiceError};

/// The `espeak-ng` text-to-speech provider.
#[derive(Debug, Clone)]
pub struct EspeakTts {
    /// The program (`espeak-ng`, looked up on `PATH`, or a path).
    pub program: PathBuf,
    /// Voice when the caller names none (e.g. `en-us`).
    pub default_voice: String,
    pub timeout: Duration,
}

/// A voice name espeak-ng could know: letters, digits, `-` and `+` (variants such as
/// `en-us+f3`), not starting with `-`.
#[must_use]
pub fn valid_voice(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'+' || b == b'_')
}

/// Removes the temporary WAV whatever happens to the call.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl EspeakTts {
    async fn run(&self, text: &str, voice: &str, out: &TempFile) -> Result<(), VoiceError> {
        let mut child = Command::new(&self.program)
            .arg("-v")
            .arg(voice)
            .arg("-w")
            .arg(&out.0)
            .arg("--stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    VoiceError::Unavailable(format!(
                        "{} cannot be run: {e}",
                        self.program.display()
                    ))
                }
                _ => VoiceError::Transient(format!("starting espeak-ng: {e}")),
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(text.as_bytes())
                .await
                .map_err(|e| VoiceError::Transient(format!("writing to espeak-ng: {e}")))?;
        }
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| VoiceError::Timeout(self.timeout))?
            .map_err(|e| VoiceError::Transient(format!("espeak-ng: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(VoiceError::Refused(format!(
                "espeak-ng failed ({}): {}",
                output.status,
                stderr.trim().chars().take(200).collect::<String>()
            )));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl TextToSpeech for EspeakTts {
    fn id(&self) -> &str {
        "local/espeak-ng"
    }

    fn formats(&self) -> &[AudioFormat] {
        &[AudioFormat::Wav]
    }

    async fn speak(
        &self,
        text: &str,
        voice: Option<&str>,
        format: AudioFormat,
    ) -> Result<Speech, VoiceError> {
        if format != AudioFormat::Wav {
            return Err(VoiceError::Refused(format!(
                "espeak-ng speaks WAV only, not {}",
                format.as_str()
            )));
        }
        let voice = voice.unwrap_or(&self.default_voice);
        if !valid_voice(voice) {
            return Err(VoiceError::Refused(format!("unknown voice {voice:?}")));
        }
        let out =
            TempFile(std::env::temp_dir().join(format!("maigie-tts-{}.wav", uuid::Uuid::new_v4())));
        self.run(text, voice, &out).await?;
        let audio = tokio::fs::read(&out.0)
            .await
            .map_err(|e| VoiceError::InvalidResponse(format!("reading espeak-ng's WAV: {e}")))?;
        let info = WavInfo::parse(&audio)
            .ok_or_else(|| VoiceError::InvalidResponse("espeak-ng wrote no readable WAV".into()))?;
        Ok(Speech {
            duration_secs: Some(info.duration_secs()),
            audio,
            format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voice_names_that_could_be_options_are_refused() {
        for ok in ["en-us", "en-us+f3", "en", "de"] {
            assert!(valid_voice(ok), "{ok}");
        }
        for bad in ["", "-w", "--stdout", "en us", "en;rm", &"x".repeat(41)] {
            assert!(!valid_voice(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_missing_program_is_unavailable_not_a_failure() {
        let tts = EspeakTts {
            program: "/nonexistent/espeak-ng".into(),
            default_voice: "en-us".into(),
            timeout: Duration::from_secs(5),
        };
        let err = tts
            .speak("hello", None, AudioFormat::Wav)
            .await
            .expect_err("no such program");
        assert!(matches!(err, VoiceError::Unavailable(_)), "{err:?}");
    }
}
