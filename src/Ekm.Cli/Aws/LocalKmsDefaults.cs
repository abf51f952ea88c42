namespace Ekm.Cli.Aws;

/// <summary>
/// The bundled local KMS's defaults: its endpoint and customer A's development account, copied
/// from Ekm.LocalKms (LocalKmsAccounts). Not secrets: they exist only in the local KMS.
/// </summary>
internal static class LocalKmsDefaults
{
    public const string Endpoint = "http://127.0.0.1:4599";
    public const string Region = "us-east-1";
    public const string CustomerAccountId = "444455556666";
    public const string CustomerAccessKeyId = "AKIAEKMCUSTOMERA0001";
    public const string CustomerSecretAccessKey = "ekm-local-customer-a-secret-do-not-use-in-aws";
}
