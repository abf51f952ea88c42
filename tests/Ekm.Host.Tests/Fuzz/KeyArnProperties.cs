using Ekm.Keys;
using Ekm.Problems;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ekm.Host.Tests.Fuzz;

/// <summary>
/// Properties of <see cref="KeyArn.TryParse"/> (DESIGN §5): every key and alias ARN shape is
/// accepted and printed back exactly; anything else, from random bytes to a one-character slip, is
/// refused with an ARN slug and a sentence, never an exception; other clouds' key ids are named as such.
/// </summary>
public sealed class KeyArnProperties
{
    [Property(MaxTest = 2000)]
    public Property TryParse_ValidArn_AcceptedAndPrintedBackExactly() =>
        Prop.ForAll(KeyArnGenerators.ValidArn.ToArbitrary(), text =>
        {
            Assert.True(KeyArn.TryParse(text, out var arn, out var problem), $"refused {text}: {problem?.Slug} {problem?.Message}");
            Assert.Equal(text, arn.ToString());
            Assert.Equal(text.Contains(":alias/", StringComparison.Ordinal), arn.IsAlias);

            Assert.True(KeyArn.TryParse(arn.ToString(), out var again, out _));
            Assert.Equal(arn, again);
        });

    [Property(MaxTest = 1000)]
    public Property TryParse_ValidArnInWhiteSpace_AcceptedAsTheTrimmedArn() =>
        Prop.ForAll(
            (from before in KeyArnGenerators.SurroundingWhiteSpace
             from arn in KeyArnGenerators.ValidArn
             from after in KeyArnGenerators.SurroundingWhiteSpace
             select (Before: before, Arn: arn, After: after)).ToArbitrary(),
            pasted =>
            {
                var text = pasted.Before + pasted.Arn + pasted.After;
                Assert.True(KeyArn.TryParse(text, out var arn, out var problem), $"refused {KeyArnGenerators.Show(text)}: {problem?.Slug}");
                Assert.Equal(pasted.Arn, arn.ToString());
            });

    [Property(MaxTest = 2000)]
    public Property TryParse_AnyText_AcceptedExactlyWhenWellFormedAndOtherwiseExplained() =>
        Prop.ForAll(Arb.From(KeyArnGenerators.AnyText, KeyArnGenerators.Shrink), AcceptedExactlyWhenWellFormed);

    [Property(MaxTest = 10000)]
    public Property TryParse_MutatedValidArn_AcceptedExactlyWhenWellFormedAndOtherwiseExplained() =>
        Prop.ForAll(Arb.From(KeyArnGenerators.MutatedArn, s => KeyArnGenerators.Shrink(s).OfType<string>()), AcceptedExactlyWhenWellFormed);

    [Property(MaxTest = 1000)]
    public Property TryParse_OtherCloudKeyId_UnsupportedKeyProvider() =>
        Prop.ForAll(
            Gen.Zip(
                Gen.OneOf(KeyArnGenerators.AzureKeyVaultKeyId, KeyArnGenerators.GoogleCloudKmsKeyName),
                KeyArnGenerators.SurroundingWhiteSpace,
                (id, space) => space + id + space).ToArbitrary(),
            text =>
            {
                Assert.False(KeyArn.TryParse(text, out _, out var problem), $"accepted {text}");
                Assert.Equal(ProblemSlugs.UnsupportedKeyProvider, problem.Slug);
                Assert.Contains("AWS KMS keys only", problem.Message, StringComparison.Ordinal);
            });

    private static void AcceptedExactlyWhenWellFormed(string? text)
    {
        var accepted = KeyArn.TryParse(text, out var arn, out var problem);

        Assert.True(accepted == KeyArnGenerators.IsWellFormed(text),
            $"{(accepted ? "accepted" : "refused")} {KeyArnGenerators.Show(text)}{(accepted ? "" : $": {problem!.Slug} {problem.Message}")}");
        if (accepted)
        {
            Assert.Equal(text!.Trim(), arn!.ToString());
        }
        else
        {
            Assert.Contains(problem!.Slug, KeyArnGenerators.ArnSlugs);
            Assert.Matches(@"\A\S.*\s.*\.\z", problem.Message);
            Assert.True(problem.Message.Length <= 400, $"a {problem.Message.Length}-character refusal");
        }
    }
}
