"""DiffusionDet's training loss: the SimOTA-style dynamic-k matcher and the set-prediction loss.

Mirrors ``HungarianMatcherDynamicK`` and ``SetCriterionDynamicK`` of the official DiffusionDet
(``diffusiondet/loss.py``, ShoufaChen/DiffusionDet @1efb36d), as described in
shared/reference/detection_segmentation.md A5. Written from that description, not copied.

Matching (one-to-many, per image and per head stage, on that stage's detached outputs):

* cost[q, g] = 5·L1(q, g) + 2·focal_cost(q, g) + 2·(−GIoU(q, g)) + 100·¬(centre of q inside box g
  AND inside the centre region of g); L1 on (x1, y1, x2, y2) normalised by the image size;
  focal_cost = α(1−p)^γ(−log p) − (1−α)p^γ(−log(1−p)) at g's class; the centre region of g is
  g's centre ± 2.5 × g's width/height.
* +10000 for a prediction whose centre lies in no GT box and in no GT centre region.
* dynamic_k(g) = max(1, int(sum of g's 5 largest IoUs)); g takes its dynamic_k cheapest predictions.
* A prediction taken by several GTs keeps only the cheapest of them. While a GT has no prediction, the
  already-matched predictions are made 100000 dearer and each unmatched GT takes its cheapest
  prediction (conflicts resolved again by min cost), so every GT ends with at least one.

Loss per stage (deep supervision: every stage is matched and weighted the same, the stage losses
are summed): sigmoid focal loss (α 0.25, γ 2) over all B·N·K logits with one-hot targets at the
matched predictions, L1 on normalised xyxy, 1 − GIoU on absolute xyxy; each summed and divided by
the number of matched predictions in the batch; weights class 2, L1 5, GIoU 2.
"""

import torch

FOCAL_ALPHA = 0.25
FOCAL_GAMMA = 2.0
OTA_K = 5
CENTER_RADIUS = 2.5
CLASS_WEIGHT = 2.0
L1_WEIGHT = 5.0
GIOU_WEIGHT = 2.0


# ------------------------------------------------------------------------------- box helpers

def cxcywh_to_xyxy(boxes):
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)


def xyxy_to_cxcywh(boxes):
    x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=-1)


def box_area(boxes):
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def pairwise_iou(a, b):
    """(len(a), len(b)) IoU and union of xyxy boxes (torchvision ``box_iou`` semantics)."""
    top_left = torch.max(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return inter / union, union


def pairwise_giou(a, b):
    """(len(a), len(b)) generalised IoU of xyxy boxes (Rezatofighi et al. 2019)."""
    iou, union = pairwise_iou(a, b)
    top_left = torch.min(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.max(a[:, None, 2:], b[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    hull = wh[..., 0] * wh[..., 1]
    return iou - (hull - union) / hull


def paired_giou(a, b):
    """GIoU of a[i] with b[i] (the diagonal of ``pairwise_giou`` without the full matrix)."""
    top_left = torch.max(a[:, :2], b[:, :2])
    bottom_right = torch.min(a[:, 2:], b[:, 2:])
    wh = (bottom_right - top_left).clamp(min=0)
    inter = wh[:, 0] * wh[:, 1]
    union = box_area(a) + box_area(b) - inter
    iou = inter / union
    hull_wh = (torch.max(a[:, 2:], b[:, 2:]) - torch.min(a[:, :2], b[:, :2])).clamp(min=0)
    hull = hull_wh[:, 0] * hull_wh[:, 1]
    return iou - (hull - union) / hull


# ------------------------------------------------------------------------------------ losses

def sigmoid_focal_loss(logits, targets, alpha=FOCAL_ALPHA, gamma=FOCAL_GAMMA):
    """Element-wise focal loss (Lin et al. 2017, eq. 5) of logits against 0/1 targets."""
    p = torch.sigmoid(logits)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    return alpha_t * (1 - p_t) ** gamma * ce


def focal_match_cost(probabilities, labels, alpha=FOCAL_ALPHA, gamma=FOCAL_GAMMA):
    """(N, G) focal classification cost of each prediction for each GT's class."""
    p = probabilities[:, labels]
    positive = alpha * (1 - p) ** gamma * (-(p + 1e-8).log())
    negative = (1 - alpha) * p ** gamma * (-(1 - p + 1e-8).log())
    return positive - negative


# ----------------------------------------------------------------------------------- matcher

def centre_priors(pred_xyxy, gt_xyxy, radius=CENTER_RADIUS):
    """(candidate (N,), in_box_and_centre (N, G)) for predictions' centres against the GTs.

    ``candidate``: the centre is inside some GT box or some GT centre region (g's centre ±
    radius × g's w/h). ``in_box_and_centre``: inside box g and inside g's centre region.
    """
    centre = xyxy_to_cxcywh(pred_xyxy)[:, None, :2]  # (N, 1, 2)
    gt = xyxy_to_cxcywh(gt_xyxy)[None]  # (1, G, 4)
    in_box = ((centre > gt_xyxy[None, :, :2]) & (centre < gt_xyxy[None, :, 2:])).all(-1)
    in_centre = ((centre > gt[..., :2] - radius * gt[..., 2:])
                 & (centre < gt[..., :2] + radius * gt[..., 2:])).all(-1)
    candidate = in_box.any(1) | in_centre.any(1)
    return candidate, in_box & in_centre


def match_cost(pred_logits, pred_xyxy, gt_labels, gt_xyxy, image_whwh):
    """(N, G) matching cost and (N, G) IoU for one image (see the module docstring)."""
    probabilities = pred_logits.sigmoid()
    cost_class = focal_match_cost(probabilities, gt_labels)
    cost_l1 = torch.cdist(pred_xyxy / image_whwh, gt_xyxy / image_whwh, p=1)
    cost_giou = -pairwise_giou(pred_xyxy, gt_xyxy)
    candidate, in_box_and_centre = centre_priors(pred_xyxy, gt_xyxy)
    cost = (L1_WEIGHT * cost_l1 + CLASS_WEIGHT * cost_class + GIOU_WEIGHT * cost_giou
            + 100.0 * (~in_box_and_centre).to(cost_l1.dtype))
    cost = cost + 10000.0 * (~candidate).to(cost.dtype)[:, None]
    iou, _ = pairwise_iou(pred_xyxy, gt_xyxy)
    return cost, iou


def dynamic_k(iou, ota_k=OTA_K):
    """(G,) number of predictions each GT takes: max(1, int(sum of its top-ota_k IoUs))."""
    top = torch.topk(iou, min(ota_k, iou.shape[0]), dim=0).values
    return top.sum(0).int().clamp(min=1)


def _keep_cheapest(matching, cost):
    """Rows matched to several GTs keep only the cheapest of those GTs (in place).

    The official code takes the argmin over *all* GTs of the row, which can hand a prediction to
    a GT that did not pick it; here the choice is among the GTs that picked it (A5's wording)."""
    multi = matching.sum(1) > 1
    if multi.any():
        rows = multi.nonzero(as_tuple=True)[0]
        masked = torch.where(matching[rows] > 0, cost[rows], torch.full_like(cost[rows], float("inf")))
        cheapest = masked.argmin(1)
        matching[rows] = 0
        matching[rows, cheapest] = 1


def dynamic_k_assign(cost, iou, ota_k=OTA_K):
    """One-to-many assignment: (selected (N,) bool, gt_index (selected.sum(),) long).

    Each GT g takes its dynamic_k(g) cheapest predictions; conflicts go to the cheapest GT; GTs
    left without a prediction take the cheapest still-free one until every GT has one.
    """
    num_predictions, num_gt = cost.shape
    if num_predictions < num_gt:
        raise ValueError(f"{num_predictions} predictions cannot cover {num_gt} ground-truth boxes")
    cost = cost.clone()
    matching = torch.zeros_like(cost, dtype=torch.uint8)
    ks = dynamic_k(iou, ota_k)
    for g in range(num_gt):
        matching[torch.topk(cost[:, g], int(ks[g]), largest=False).indices, g] = 1
    _keep_cheapest(matching, cost)
    for _ in range(num_gt + 1):
        unmatched = (matching.sum(0) == 0).nonzero(as_tuple=True)[0]
        if unmatched.numel() == 0:
            break
        cost[matching.sum(1) > 0] += 100000.0
        for g in unmatched.tolist():
            matching[cost[:, g].argmin(), g] = 1
        _keep_cheapest(matching, cost)
    if (matching.sum(0) == 0).any():
        raise RuntimeError("dynamic-k assignment left a ground-truth box unmatched")
    selected = matching.sum(1) > 0
    return selected, matching[selected].argmax(1)


@torch.no_grad()
def match(pred_logits, pred_xyxy, gt_labels, gt_xyxy, image_whwh, ota_k=OTA_K):
    """Dynamic-k match of one image's N predictions (logits (N,K), abs xyxy (N,4)) to its GTs."""
    if gt_labels.numel() == 0:
        return (torch.zeros(pred_logits.shape[0], dtype=torch.bool),
                torch.zeros(0, dtype=torch.long))
    cost, iou = match_cost(pred_logits.float(), pred_xyxy.float(), gt_labels, gt_xyxy, image_whwh)
    return dynamic_k_assign(cost, iou, ota_k)


# --------------------------------------------------------------------------------- criterion

def stage_loss(logits, boxes, targets):
    """Losses of one head stage. logits (B,N,K), boxes (B,N,4) abs xyxy; targets: list of dicts
    with ``labels`` (G,) long, ``boxes_xyxy`` (G,4) abs, ``image_whwh`` (4,).

    Returns (class, l1, giou, matched count)."""
    batch, _, num_classes = logits.shape
    one_hot = torch.zeros_like(logits)
    pred_boxes, pred_norm, gt_boxes, gt_norm = [], [], [], []
    for b, target in enumerate(targets):
        selected, gt_index = match(logits[b].detach(), boxes[b].detach(), target["labels"],
                                   target["boxes_xyxy"], target["image_whwh"])
        if gt_index.numel() == 0:
            continue
        rows = selected.nonzero(as_tuple=True)[0]
        one_hot[b, rows, target["labels"][gt_index]] = 1.0
        pred_boxes.append(boxes[b, rows])
        pred_norm.append(boxes[b, rows] / target["image_whwh"])
        gt_boxes.append(target["boxes_xyxy"][gt_index])
        gt_norm.append(target["boxes_xyxy"][gt_index] / target["image_whwh"])
    matched = sum(len(p) for p in pred_boxes)
    focal = sigmoid_focal_loss(logits, one_hot).sum()
    if matched == 0:
        zero = boxes.sum() * 0
        return focal, zero, zero, 0
    pred_boxes, gt_boxes = torch.cat(pred_boxes), torch.cat(gt_boxes)
    l1 = (torch.cat(pred_norm) - torch.cat(gt_norm)).abs().sum() / matched
    giou = (1 - paired_giou(pred_boxes, gt_boxes)).sum() / matched
    return focal / matched, l1, giou, matched


def set_loss(stage_logits, stage_boxes, targets):
    """Deep-supervised DiffusionDet loss over all stages: (total, per-term sums, per-stage totals).

    stage_logits (S,B,N,K), stage_boxes (S,B,N,4) abs xyxy."""
    total = 0.0
    terms = {"class": 0.0, "l1": 0.0, "giou": 0.0, "matched": 0}
    per_stage = []
    for logits, boxes in zip(stage_logits, stage_boxes):
        focal, l1, giou, matched = stage_loss(logits, boxes, targets)
        loss = CLASS_WEIGHT * focal + L1_WEIGHT * l1 + GIOU_WEIGHT * giou
        total = total + loss
        terms["class"] += float(focal.detach())
        terms["l1"] += float(l1.detach())
        terms["giou"] += float(giou.detach())
        terms["matched"] = matched
        per_stage.append(float(loss.detach()))
    return total, terms, per_stage
