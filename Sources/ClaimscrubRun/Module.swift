public enum ClaimscrubRunModule {}
