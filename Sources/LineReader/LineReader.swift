public enum LineReaderPlaceholder {}
