namespace Ekm.LocalKms.Storage;

/// <summary>What the durable store reports; paths and counts only, never a key or a document.</summary>
internal static partial class LocalKmsStoreLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Created the store key file {KeyFile} for the local KMS database {DataFile}: keep it with the database, or move its content to the StoreKey setting and keep backups of the two apart")]
    public static partial void KeyFileCreated(ILogger logger, string keyFile, string dataFile);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information,
        Message = "Sealed {Rows} plain rows of the local KMS database {DataFile} written by an earlier version (one-time migration)")]
    public static partial void PlainRowsSealed(ILogger logger, int rows, string dataFile);
}
