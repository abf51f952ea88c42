namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>A fact that drives the local KMS with the AWS CLI; skipped where <c>aws</c> is not on PATH.</summary>
public sealed class AwsCliFactAttribute : FactAttribute
{
    public AwsCliFactAttribute()
    {
        Skip = ClientTools.AwsCliMissing;
    }
}
