// ImageResize: how a decoded image is brought to the requested size.
namespace Topiary.Data;

/// <summary>How <see cref="ImageDecoder"/> brings an image to <see cref="ImageTransform.Height"/> × <see cref="ImageTransform.Width"/>.</summary>
public enum ImageResize
{
    /// <summary>Resample the whole image to the size (bilinear); the aspect ratio is not kept.</summary>
    Stretch,

    /// <summary>
    /// Keep the aspect ratio: take the largest centred region with the size's aspect ratio, then resample it (bilinear)
    /// — torchvision's <c>Resize(min side)</c> followed by <c>CenterCrop</c>, in one step.
    /// </summary>
    CenterCrop,
}
