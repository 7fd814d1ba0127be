/* fa_relations.render: hovering, focusing or clicking a triple highlights its arguments in the text;
   hovering a mark or argument span in the text highlights the triples it takes part in.
   Installed once per page (event delegation), so later renderings in the same page work too. */
(function () {
  if (window.faRelationsRender) { return; }
  window.faRelationsRender = true;
  var ROLES = [["data-subj", "fa-hl-subj"], ["data-obj", "fa-hl-obj"], ["data-ev", "fa-hl-ev"]];
  function targets(li, attr) {
    var root = li.closest(".fa-doc");
    var ids = (li.getAttribute(attr) || "").split(" ").filter(Boolean);
    var out = [];
    ids.forEach(function (id) {
      root.querySelectorAll('.fa-text [data-ids~="' + id + '"]').forEach(function (el) { out.push(el); });
    });
    return out;
  }
  function show(li, on) {
    ROLES.forEach(function (role) {
      targets(li, role[0]).forEach(function (el) { el.classList.toggle(role[1], on); });
    });
    li.classList.toggle("fa-active", on);
  }
  function tripleOf(event) {
    return event.target && event.target.closest ? event.target.closest(".fa-render .fa-triple") : null;
  }
  document.addEventListener("mouseover", function (e) { var li = tripleOf(e); if (li) { show(li, true); } });
  document.addEventListener("focusin", function (e) { var li = tripleOf(e); if (li) { show(li, true); } });
  function leave(e) {
    var li = tripleOf(e);
    if (li && !li.contains(e.relatedTarget) && !li.classList.contains("fa-pinned")) { show(li, false); }
  }
  document.addEventListener("mouseout", leave);
  document.addEventListener("focusout", leave);
  function textOf(node) {
    return node && node.closest ? node.closest(".fa-render .fa-text") : null;
  }
  function related(box, target) {  /* the triples whose arguments cover the hovered piece of text */
    var ids = [];
    for (var el = target; el && el !== box; el = el.parentElement) {
      ids = ids.concat((el.getAttribute("data-ids") || "").split(" ").filter(Boolean));
    }
    box.closest(".fa-doc").querySelectorAll(".fa-triple").forEach(function (li) {
      var args = ((li.getAttribute("data-subj") || "") + " " + (li.getAttribute("data-obj") || "")).split(" ");
      li.classList.toggle("fa-related", ids.some(function (id) { return args.indexOf(id) >= 0; }));
    });
  }
  document.addEventListener("mouseover", function (e) { var box = textOf(e.target); if (box) { related(box, e.target); } });
  document.addEventListener("mouseout", function (e) {
    var box = textOf(e.target);
    if (box && textOf(e.relatedTarget) !== box) { related(box, box); }
  });
  document.addEventListener("click", function (e) {
    var li = tripleOf(e);
    if (!li) { return; }
    var pinned = li.classList.toggle("fa-pinned");
    show(li, pinned);
    var first = pinned ? targets(li, "data-subj")[0] : null;
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "nearest" }); }
  });
})();
