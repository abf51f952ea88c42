using Amazon.Runtime;

namespace Ekm.Cli.Aws;

/// <summary>
/// The customer's own KMS calls (<c>ekm aws</c>) fail with AWS error codes, not problems: they get
/// the same exit-code families, chosen by the error code (the SDK's exception types cover only the
/// errors an operation's model lists).
/// </summary>
internal static class KmsErrors
{
    public static CliException ToCliException(AmazonServiceException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.ErrorCode is not { Length: > 0 } code)
        {
            // No answer at all: the endpoint is down or not a KMS.
            return new CliException(ExitCodes.Unavailable, "kms-unreachable",
                $"Could not reach AWS KMS: {Innermost(exception).Message} Check --kms-url (default {LocalKmsDefaults.Endpoint}).", null, exception);
        }

        return new CliException(ExitCodeOf(code), code, $"AWS KMS refused: {exception.Message}", null, exception);
    }

    public static int ExitCodeOf(string errorCode) => errorCode switch
    {
        "NotFoundException" or "AccessDeniedException" or "UnrecognizedClientException" or "InvalidSignatureException"
            or "MissingAuthenticationTokenException" or "IncompleteSignatureException" => ExitCodes.NotFoundOrDenied,
        "DisabledException" or "KMSInvalidStateException" or "KeyUnavailableException" => ExitCodes.RefusedByState,
        "ThrottlingException" or "LimitExceededException" or "KMSInternalException" or "DependencyTimeoutException"
            or "ServiceUnavailableException" or "InternalFailure" => ExitCodes.Unavailable,
        "ValidationException" or "InvalidArnException" or "MalformedPolicyDocumentException" or "InvalidKeyUsageException"
            or "UnsupportedOperationException" or "TagException" or "InvalidAliasNameException" or "SerializationException" => ExitCodes.BadInput,
        _ => ExitCodes.Unexpected,
    };

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }
}
