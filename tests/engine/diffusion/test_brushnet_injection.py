"""BrushNet residuals into a stock UNet: same numbers as the fork's UNet forward, no leaks."""
import pytest
import torch
from diffusion_tiny import CROSS_DIM, randomize_zero_convs, tiny_unet

from engine.diffusion.brushnet import BrushNetModel
from engine.diffusion.unet_injection import inject_residuals, residual_counts, unet_with_residuals


def fork_unet_forward(unet, sample, t, context, down, mid, up):
    """Independent re-implementation of the BrushNet fork's UNet forward (where it adds residuals)."""
    down, up = list(down), list(up)
    emb = unet.time_embedding(unet.time_proj(t.expand(sample.shape[0])).to(sample.dtype))
    h = unet.conv_in(sample)
    skips = [h]  # the skip keeps conv_in's output from BEFORE the add
    h = h + down.pop(0)
    for block in unet.down_blocks:
        attentions = getattr(block, "attentions", None) or [None] * len(block.resnets)
        for resnet, attn in zip(block.resnets, attentions):
            h = resnet(h, emb)
            if attn is not None:
                h = attn(h, encoder_hidden_states=context, return_dict=False)[0]
            h = h + down.pop(0)
            skips.append(h)
        if block.downsamplers is not None:
            h = block.downsamplers[0](h) + down.pop(0)
            skips.append(h)
    h = unet.mid_block(h, emb, encoder_hidden_states=context) + mid
    for i, block in enumerate(unet.up_blocks):
        attentions = getattr(block, "attentions", None) or [None] * len(block.resnets)
        for resnet, attn in zip(block.resnets, attentions):
            h = resnet(torch.cat([h, skips.pop()], dim=1), emb)
            if attn is not None:
                h = attn(h, encoder_hidden_states=context, return_dict=False)[0]
            h = h + up.pop(0)
        if block.upsamplers is not None:
            h = block.upsamplers[0](h, skips[-1].shape[2:]) + up.pop(0)
    assert not down and not up and not skips
    return unet.conv_out(unet.conv_act(unet.conv_norm_out(h)))


@pytest.fixture(scope="module")
def models():
    unet = tiny_unet(0)
    brushnet = BrushNetModel.from_unet(unet).eval()
    return unet, brushnet


def _inputs(seed=0, batch=2):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(batch, 4, 16, 16, generator=g), torch.tensor(321),
            torch.randn(batch, 7, CROSS_DIM, generator=g), torch.randn(batch, 5, 16, 16, generator=g))


def _plain(unet, x, t, ctx):
    return unet(x, t, encoder_hidden_states=ctx, return_dict=False)[0]


def _no_hooks(unet):
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in unet.modules())


@torch.no_grad()
def test_zero_init_branch_leaves_the_unet_unchanged(models):
    unet, brushnet = models
    x, t, ctx, cond = _inputs()
    down, mid, up = brushnet(x, t, ctx, cond, return_dict=False)
    assert all(torch.count_nonzero(r) == 0 for r in [*down, mid, *up])
    torch.testing.assert_close(unet_with_residuals(unet, x, t, ctx, down, mid, up), _plain(unet, x, t, ctx),
                               rtol=0, atol=0)


@torch.no_grad()
def test_scale_zero_equals_the_plain_unet():
    unet = tiny_unet(0)
    brushnet = BrushNetModel.from_unet(unet).eval()
    randomize_zero_convs(brushnet)
    x, t, ctx, cond = _inputs(1)
    down, mid, up = brushnet(x, t, ctx, cond, conditioning_scale=0.0, return_dict=False)
    torch.testing.assert_close(unet_with_residuals(unet, x, t, ctx, down, mid, up), _plain(unet, x, t, ctx),
                               rtol=0, atol=0)


@torch.no_grad()
def test_injection_matches_the_fork_forward():
    unet = tiny_unet(3)
    brushnet = BrushNetModel.from_unet(unet).eval()
    randomize_zero_convs(brushnet, std=0.2)
    x, t, ctx, cond = _inputs(2)
    down, mid, up = brushnet(x, t, ctx, cond, conditioning_scale=0.8, return_dict=False)
    ours = unet_with_residuals(unet, x, t, ctx, down, mid, up)
    reference = fork_unet_forward(unet, x, t, ctx, down, mid, up)
    plain = _plain(unet, x, t, ctx)
    assert (ours - plain).abs().max() > 1e-2  # the residuals really changed the output
    torch.testing.assert_close(ours, reference, rtol=0, atol=1e-5)
    assert _no_hooks(unet)


@torch.no_grad()
def test_hooks_are_removed_when_the_unet_raises(models):
    unet, brushnet = models
    x, t, ctx, cond = _inputs(3)
    before = _plain(unet, x, t, ctx)
    down, mid, up = brushnet(x, t, ctx, cond, return_dict=False)
    big = [r + 1.0 for r in down]
    with pytest.raises(RuntimeError):
        with inject_residuals(unet, big, mid, up):
            unet(x, t, encoder_hidden_states=ctx[:, :, :5])  # wrong context width -> raises inside
    assert _no_hooks(unet)
    torch.testing.assert_close(_plain(unet, x, t, ctx), before, rtol=0, atol=0)
    unet_with_residuals(unet, x, t, ctx, big, mid, up)  # usable again: the guard was reset
    assert _no_hooks(unet)


def test_nested_injection_and_wrong_counts_are_refused(models):
    unet, brushnet = models
    n_down, n_up = residual_counts(unet)
    assert (n_down, n_up) == (6, 7)
    down, up, mid = [torch.zeros(1)] * n_down, [torch.zeros(1)] * n_up, torch.zeros(1)
    with pytest.raises(ValueError, match="6 down and 7 up"):
        with inject_residuals(unet, down[:-1], mid, up):
            pass
    with inject_residuals(unet, down, mid, up):
        with pytest.raises(RuntimeError, match="already"):
            with inject_residuals(unet, down, mid, up):
                pass
    assert _no_hooks(unet)


@torch.no_grad()
def test_hook_free_forward_equals_the_hooks():
    from engine.diffusion.unet_forward import brushnet_unet_forward

    unet = tiny_unet(5)
    brushnet = BrushNetModel.from_unet(unet).eval()
    randomize_zero_convs(brushnet, std=0.2)
    x, t, ctx, cond = _inputs(4)
    down, mid, up = brushnet(x, t, ctx, cond, return_dict=False)
    torch.testing.assert_close(brushnet_unet_forward(unet, x, t, ctx, down, mid, up),
                               unet_with_residuals(unet, x, t, ctx, down, mid, up), rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match="6 down and 7 up"):
        brushnet_unet_forward(unet, x, t, ctx, down[:-1], mid, up)
