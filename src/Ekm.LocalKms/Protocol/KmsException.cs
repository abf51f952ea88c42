namespace Ekm.LocalKms.Protocol;

/// <summary>
/// An error answered the way AWS KMS answers it: <c>{"__type": Code, "message": Message}</c> with
/// the HTTP status AWS uses for that code.
/// </summary>
public sealed class KmsException : Exception
{
    public KmsException(string code, string message, int status = 400)
        : base(message)
    {
        Code = code;
        Status = status;
    }

    public KmsException()
        : this(KmsErrors.Internal, "internal error", 500)
    {
    }

    public KmsException(string message)
        : this(KmsErrors.Internal, message, 500)
    {
    }

    public KmsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = KmsErrors.Internal;
        Status = 500;
    }

    public string Code { get; }

    public int Status { get; }
}

/// <summary>The AWS KMS error codes this server answers with.</summary>
public static class KmsErrors
{
    public const string NotFound = "NotFoundException";
    public const string Disabled = "DisabledException";
    public const string InvalidState = "KMSInvalidStateException";
    public const string InvalidCiphertext = "InvalidCiphertextException";
    public const string IncorrectKey = "IncorrectKeyException";
    public const string AccessDenied = "AccessDeniedException";
    public const string InvalidKeyUsage = "InvalidKeyUsageException";
    public const string Validation = "ValidationException";
    public const string InvalidArn = "InvalidArnException";
    public const string AlreadyExists = "AlreadyExistsException";
    public const string InvalidAliasName = "InvalidAliasNameException";
    public const string InvalidGrantToken = "InvalidGrantTokenException";
    public const string InvalidGrantId = "InvalidGrantIdException";
    public const string MalformedPolicyDocument = "MalformedPolicyDocumentException";
    public const string UnsupportedOperation = "UnsupportedOperationException";
    public const string InvalidMarker = "InvalidMarkerException";
    public const string Throttling = "ThrottlingException";
    public const string Internal = "KMSInternalException";
    public const string UnknownOperation = "UnknownOperationException";
    public const string SerializationException = "SerializationException";
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string InvalidSignature = "InvalidSignatureException";
    public const string IncompleteSignature = "IncompleteSignatureException";

    public static KmsException NotFoundFor(string keyId) => new(NotFound, $"Key '{keyId}' does not exist");

    public static KmsException ValidationFailed(string message) => new(Validation, message);
}
