//! Audio formats told by their magic bytes, and a WAV's duration from its header.
//!
//! A file's name and declared content type are the client's word; the first bytes are
//! the file's. A PNG renamed `.webm` is refused here before any provider sees it.

/// The formats accepted for speech to text, and answered by text to speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioFormat {
    Wav,
    /// WebM (Matroska), usually Opus from a browser's `MediaRecorder`.
    Webm,
    /// Ogg (Opus or Vorbis).
    Ogg,
    Mp3,
    /// MP4 / M4A (AAC).
    Mp4,
}

impl AudioFormat {
    /// Every format, in the order they are documented.
    pub const ALL: [Self; 5] = [Self::Webm, Self::Ogg, Self::Mp3, Self::Mp4, Self::Wav];

    /// The format `bytes` start like, if any accepted one.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'A',
                b'V',
                b'E',
                ..,
            ] => Some(Self::Wav),
            [0x1A, 0x45, 0xDF, 0xA3, ..] => Some(Self::Webm),
            [b'O', b'g', b'g', b'S', ..] => Some(Self::Ogg),
            [b'I', b'D', b'3', ..] => Some(Self::Mp3),
            // An MPEG audio frame: 11 sync bits, then a version and a layer that are not
            // "reserved" (layer bits 00 would be AAC's ADTS, not MP3).
            [0xFF, second, ..] if second & 0xE0 == 0xE0 && second & 0x06 != 0 => Some(Self::Mp3),
            [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some(Self::Mp4),
            _ => None,
        }
    }

    /// The name clients use for it (`format` of the speak endpoint).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Webm => "webm",
            Self::Ogg => "ogg",
            Self::Mp3 => "mp3",
            Self::Mp4 => "m4a",
        }
    }

    /// Parses a client's name for a format (`m4a` and `mp4` are the same).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "wav" => Some(Self::Wav),
            "webm" => Some(Self::Webm),
            "ogg" | "opus" => Some(Self::Ogg),
            "mp3" => Some(Self::Mp3),
            "m4a" | "mp4" => Some(Self::Mp4),
            _ => None,
        }
    }

    /// The media type to answer with.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Wav => "audio/wav",
            Self::Webm => "audio/webm",
            Self::Ogg => "audio/ogg",
            Self::Mp3 => "audio/mpeg",
            Self::Mp4 => "audio/mp4",
        }
    }

    /// A file name the provider can tell the format from (some look at the extension).
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Wav => "audio.wav",
            Self::Webm => "audio.webm",
            Self::Ogg => "audio.ogg",
            Self::Mp3 => "audio.mp3",
            Self::Mp4 => "audio.m4a",
        }
    }
}

/// What a PCM WAV header says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WavInfo {
    pub sample_rate: u32,
    pub channels: u16,
    pub bits_per_sample: u16,
    /// Offset of the samples in the file.
    pub data_offset: usize,
    /// Bytes of samples (clamped to what the file holds: `--stdout`-style streaming
    /// headers give a bogus size).
    pub data_len: usize,
}

impl WavInfo {
    /// Reads the `fmt ` and `data` chunks; `None` when the file is not a readable WAV.
    #[must_use]
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        if AudioFormat::sniff(bytes) != Some(AudioFormat::Wav) {
            return None;
        }
        let mut at = 12;
        let mut fmt: Option<(u16, u32, u16)> = None;
        while at + 8 <= bytes.len() {
            let id = &bytes[at..at + 4];
            let size = usize::try_from(u32_le(bytes, at + 4)?).ok()?;
            let body = at + 8;
            if id == b"fmt " && size >= 16 && body + 16 <= bytes.len() {
                fmt = Some((
                    u16_le(bytes, body + 2)?,
                    u32_le(bytes, body + 4)?,
                    u16_le(bytes, body + 14)?,
                ));
            } else if id == b"data" {
                let (channels, sample_rate, bits_per_sample) = fmt?;
                return Some(Self {
                    sample_rate,
                    channels,
                    bits_per_sample,
                    data_offset: body,
                    data_len: size.min(bytes.len() - body),
                });
            }
            at = body.checked_add(size)?.checked_add(size % 2)?;
        }
        None
    }

    /// Seconds of audio.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn duration_secs(&self) -> f32 {
        let per_second = u64::from(self.sample_rate)
            * u64::from(self.channels)
            * u64::from(self.bits_per_sample / 8);
        if per_second == 0 {
            return 0.0;
        }
        self.data_len as f32 / per_second as f32
    }
}

fn u16_le(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_le(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(seconds: u32) -> Vec<u8> {
        let rate = 16_000u32;
        let data = vec![0u8; (rate * 2 * seconds) as usize];
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * 2).to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&data);
        out
    }

    #[test]
    fn formats_are_told_by_their_first_bytes() {
        let cases: &[(&[u8], Option<AudioFormat>)] = &[
            (&wav(1), Some(AudioFormat::Wav)),
            (&[0x1A, 0x45, 0xDF, 0xA3, 0x01], Some(AudioFormat::Webm)),
            (b"OggS\0\x02", Some(AudioFormat::Ogg)),
            (b"ID3\x04\0", Some(AudioFormat::Mp3)),
            (&[0xFF, 0xFB, 0x90, 0x00], Some(AudioFormat::Mp3)),
            (b"\0\0\0\x20ftypM4A ", Some(AudioFormat::Mp4)),
            (b"\x89PNG\r\n\x1a\n\0\0", None),
            (&[0xFF, 0xF1, 0x50], None), // AAC ADTS, not MP3
            (b"RIFF\0\0\0\0AVI ", None),
            (b"", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(AudioFormat::sniff(bytes), *expected, "{bytes:?}");
        }
    }

    #[test]
    fn a_wav_header_gives_its_duration() {
        let info = WavInfo::parse(&wav(3)).expect("readable");
        assert_eq!(
            (info.sample_rate, info.channels, info.bits_per_sample),
            (16_000, 1, 16)
        );
        assert!((info.duration_secs() - 3.0).abs() < 0.001);
    }

    #[test]
    fn a_truncated_or_foreign_file_is_no_wav() {
        assert_eq!(WavInfo::parse(&wav(1)[..30]), None);
        assert_eq!(WavInfo::parse(b"OggS...."), None);
    }

    #[test]
    fn format_names_parse_both_ways() {
        for format in AudioFormat::ALL {
            assert_eq!(AudioFormat::parse(format.as_str()), Some(format));
        }
        assert_eq!(AudioFormat::parse("MP4"), Some(AudioFormat::Mp4));
        assert_eq!(AudioFormat::parse("flac"), None);
    }
}
